#include "compat.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

/* The terminal's settings while echo is off, to restore them on a signal. */
static struct termios prompt_saved;
static volatile sig_atomic_t prompt_echo_off;

/* Restore the terminal and die of the signal as if nothing caught it. */
static void
prompt_on_signal(int sig)
{
	if (prompt_echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Turn echo off on the terminal, arranging for a signal to turn it back on. */
static int
prompt_echo_disable(struct sigaction *old)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	struct sigaction sa;
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &prompt_saved) != 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = prompt_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	t = prompt_saved;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	prompt_echo_off = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0) {
		prompt_echo_off = 0;
		for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
			sigaction(sigs[i], &old[i], NULL);
		return -1;
	}
	return 0;
}

/* Turn echo back on and put the old signal handlers back. */
static void
prompt_echo_restore(struct sigaction *old)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };

	tcsetattr(STDIN_FILENO, TCSAFLUSH, &prompt_saved);
	prompt_echo_off = 0;
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
}

/* Read one line from the terminal or standard input. */
char *
cli_prompt(const char *prompt, bool secret, size_t max, char **cause)
{
	struct sigaction old[5];
	bool tty = isatty(STDIN_FILENO), quiet = false;
	char *line = xmalloc(max + 2), *got;
	size_t n;

	line[0] = '\0';
	if (tty) {
		fputs(prompt, stderr);
		fflush(stderr);
		if (secret)
			quiet = prompt_echo_disable(old) == 0;
	}
	got = fgets(line, (int)(max + 2), stdin);
	if (quiet)
		prompt_echo_restore(old);
	if (got == NULL) {
		*cause = xstrdup(ferror(stdin) ? strerror(errno) :
		    "the input ended");
		cli_free_secret(line);
		return NULL;
	}
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	else if (n > max) {
		*cause = xasprintf("longer than %zu bytes", max);
		cli_free_secret(line);
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	return line;
}

/* Wipe and free a secret read by cli_prompt. */
void
cli_free_secret(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s));
	free(s);
}
