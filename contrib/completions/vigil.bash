# bash completion for vigil(1).  Install as
# /usr/share/bash-completion/completions/vigil, or source it.

_vigil()
{
	local cur prev cmd i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	# The command is the first word that is not an option or its argument.
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--log) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done

	case $prev in
	--log)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--user|--site|--since|--priority|--type|--limit)
		return ;;
	--search|--name|--unit|--phone|--email|--card|--plate|--app|--drop-credential|--point|--group|--from|--until|--valid-from|--valid-until|--reason|--resident)
		return ;;
	--role)
		COMPREPLY=($(compgen -W "resident administrator management" -- "$cur"))
		return ;;
	--days)
		COMPREPLY=($(compgen -W "all mon-fri sat,sun mon tue wed thu fri sat sun" -- "$cur"))
		return ;;
	--result)
		COMPREPLY=($(compgen -W "granted denied" -- "$cur"))
		return ;;
	--format)
		COMPREPLY=($(compgen -W "csv jsonl json" -- "$cur"))
		return ;;
	--tz)
		COMPREPLY=($(compgen -W "UTC Europe/London Europe/Paris America/New_York" -- "$cur"))
		return ;;
	--after|--key)
		return ;;
	-o|--output)
		COMPREPLY=($(compgen -f -- "$cur"))
		return ;;
	--state)
		COMPREPLY=($(compgen -W "open new acknowledged assigned closed all" -- "$cur"))
		return ;;
	--types)
		local types="alarm.* alarm.created alarm.updated alarm.note guard.* guard.updated guard.position point.* point.state"
		local head=${cur%,*} last=${cur##*,}
		if [[ $cur == *,* ]]; then
			COMPREPLY=($(compgen -W "$types" -P "$head," -- "$last"))
		else
			COMPREPLY=($(compgen -W "$types" -- "$cur"))
		fi
		compopt -o nospace 2>/dev/null
		return ;;
	esac

	case $cmd in
	"")
		COMPREPLY=($(compgen -W "login logout watch alarm guard export audit residents access demo keys config --log --help --version" -- "$cur")) ;;
	login)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--user --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "http:// https://" -- "$cur"))
			compopt -o nospace 2>/dev/null
		fi ;;
	logout|demo|keys)
		COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
	config)
		COMPREPLY=($(compgen -W "--list --help" -- "$cur")) ;;
	watch)
		COMPREPLY=($(compgen -W "--types --site --since --help" -- "$cur")) ;;
	alarm)
		# The word after "alarm" that is not an option: its subcommand.
		local sub= nargs=0
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--state|--site|--priority|--type|--limit) ((i++)) ;;
			-*) ;;
			*) [[ -z $sub ]] && sub=${COMP_WORDS[i]} || ((nargs++)) ;;
			esac
		done
		if [[ $cur == -* ]]; then
			case $sub in
			list) COMPREPLY=($(compgen -W "--state --site --priority --type --limit --json --help" -- "$cur")) ;;
			show) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--json --quiet --help" -- "$cur")) ;;
			esac
		elif [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "list show ack assign close note" -- "$cur"))
		elif [[ $sub == close && $nargs -eq 1 ]]; then
			COMPREPLY=($(compgen -W "genuine false_alarm test technical_fault" -- "$cur"))
		fi ;;
	residents|access)
		# The word after the command that is not an option: its subcommand.
		local sub= nargs=0
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--site|--search|--name|--unit|--phone|--email|--role|--card|--plate|--app|--drop-credential|--limit|-o|--output) ((i++)) ;;
			--point|--group|--days|--from|--until|--valid-from|--valid-until|--reason|--resident|--since|--result) ((i++)) ;;
			-*) ;;
			*) [[ -z $sub ]] && sub=${COMP_WORDS[i]} || ((nargs++)) ;;
			esac
		done
		if [[ $cur == -* ]]; then
			case $cmd:$sub in
			residents:list) COMPREPLY=($(compgen -W "--site --search --limit --removed --json --help" -- "$cur")) ;;
			residents:show) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
			residents:add) COMPREPLY=($(compgen -W "--site --name --unit --phone --email --role --card --plate --app --json --quiet --help" -- "$cur")) ;;
			residents:edit) COMPREPLY=($(compgen -W "--name --unit --phone --email --role --card --plate --app --drop-credential --json --quiet --help" -- "$cur")) ;;
			residents:import) COMPREPLY=($(compgen -W "--site --dry-run --json --quiet --help" -- "$cur")) ;;
			residents:export) COMPREPLY=($(compgen -W "--site --output --help" -- "$cur")) ;;
			access:grant) COMPREPLY=($(compgen -W "--point --group --days --from --until --valid-from --valid-until --json --quiet --help" -- "$cur")) ;;
			access:suspend|access:revoke) COMPREPLY=($(compgen -W "--reason --json --quiet --help" -- "$cur")) ;;
			access:list) COMPREPLY=($(compgen -W "--site --resident --point --since --until --result --limit --json --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--json --quiet --help" -- "$cur")) ;;
			esac
		elif [[ -z $sub && $cmd == residents ]]; then
			COMPREPLY=($(compgen -W "list show add edit remove import export" -- "$cur"))
		elif [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "grant suspend resume revoke list" -- "$cur"))
		elif [[ $cmd:$sub == residents:import && $nargs -eq 0 ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	export)
		# The kind: the word after "export" that is not an option.
		local kind=
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--since|--until|--site|--format|--tz|-o|--output|--after) ((i++)) ;;
			-*) ;;
			*) kind=${COMP_WORDS[i]} ;;
			esac
		done
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--since --until --site --format --tz --output --after --help" -- "$cur"))
		elif [[ -z $kind ]]; then
			COMPREPLY=($(compgen -W "audit alarms events positions access-history" -- "$cur"))
		fi ;;
	audit)
		local sub=
		for ((i = i + 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--key) ((i++)) ;;
			-*) ;;
			*) sub=${COMP_WORDS[i]}; break ;;
			esac
		done
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--server --key --quiet --help" -- "$cur"))
		elif [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "verify" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	guard)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "list" -- "$cur"))
		fi ;;
	esac
}
complete -F _vigil vigil
