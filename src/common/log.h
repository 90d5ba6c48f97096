/* log.h: the one log of a process; never the screen curses owns. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Send log lines to path (appending), or to stderr when path is NULL. */
int log_open(const char *path, enum log_level level);
/* True when lines go to a file (not to stderr). */
int log_to_file(void);
/* Close the log file, if one was opened. */
void log_close(void);
/* Write one line at level: "2026-11-21T23:01:02.345Z level message". */
void log_msg(enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
