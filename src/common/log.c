#include "compat.h"

#include "log.h"
#include "vtime.h"

static FILE *log_file;
static enum log_level log_max = LOG_INFO;
static const char *const log_names[] = { "error", "warn", "info", "debug" };

/* Send log lines to path (appending), or to stderr when path is NULL. */
int
log_open(const char *path, enum log_level level)
{
	log_max = level;
	if (path == NULL)
		return 0;
	log_file = fopen(path, "a");
	if (log_file == NULL)
		return -1;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

/* True when lines go to a file (not to stderr). */
int
log_to_file(void)
{
	return log_file != NULL;
}

/* Close the log file, if one was opened. */
void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

/* Write one line at level: "2026-11-21T23:01:02.345Z level message". */
void
log_msg(enum log_level level, const char *fmt, ...)
{
	FILE *f = log_file != NULL ? log_file : stderr;
	char ts[VTIME_ISO_LEN];
	va_list ap;

	if (level > log_max)
		return;
	vtime_format(vtime_now_ms(), ts, sizeof ts);
	fprintf(f, "%s %s ", ts, log_names[level]);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
}
