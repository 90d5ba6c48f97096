#include "compat.h"

#include <sysexits.h>

#include "cli.h"
#include "config.h"
#include "keymap.h"

/* vigil keys: print the console's key table, one action per line. */
int
cmd_keys(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return cli_help("keys", "");
	if (argc > 1)
		return cli_usage("keys");
	for (int i = 0; i < keymap_count; i++) {
		const struct key_binding *b = &keymap_table[i];
		char kb[16];

		const char *seen[KEYMAP_MAX_KEYS];
		int nseen = 0;

		printf("%-12s", b->name);
		for (int k = 0; k < KEYMAP_MAX_KEYS && b->keys[k] != 0; k++) {
			const char *name = keymap_key_name(b->keys[k], kb, sizeof kb);
			bool dup = false;

			/* Enter is three codes; name it once. */
			for (int j = 0; j < nseen; j++)
				dup = dup || strcmp(seen[j], name) == 0;
			if (dup)
				continue;
			if (name != kb)
				seen[nseen++] = name;
			printf(" %s", name);
		}
		printf("\t%s\n", b->help);
	}
	return 0;
}

/* vigil config --list [--help]: the settings in force and where they come from. */
int
cmd_config(int argc, char **argv)
{
	struct config c;
	bool help = false;

	if (argc < 2 || strcmp(argv[1], "--list") != 0)
		return cli_usage("config");
	if (argc == 3 && strcmp(argv[2], "--help") == 0)
		help = true;
	else if (argc > 2)
		return cli_usage("config");
	config_init(&c);
	config_load(&c, NULL);
	config_apply_env(&c);
	config_print(&c, stdout, help);
	for (size_t i = 0; i < c.nerrors; i++)
		fprintf(stderr, "vigil: %s\n", c.errors[i]);
	config_release(&c);
	return 0;
}
