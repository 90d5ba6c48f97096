/*
 * vigil: the console, and its headless subcommands.
 */
#include "compat.h"

#include <sysexits.h>

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("vigil %s\n", VIGIL_VERSION);
		return 0;
	}
	fprintf(stderr, "vigil: the console is not built yet\n");
	return EX_UNAVAILABLE;
}
