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
	--user|--site|--since)
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
		COMPREPLY=($(compgen -W "login logout watch demo keys config --log --help --version" -- "$cur")) ;;
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
	esac
}
complete -F _vigil vigil
