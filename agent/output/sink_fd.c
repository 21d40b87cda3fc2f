/* stdout and file:PATH sinks: records leave with writev(2), up to SINK_IOV lines per call.
 * The file is opened with O_APPEND, so lines from one writev are never interleaved with other
 * appenders' writes; output_reopen() makes the thread open PATH anew (logrotate's rename + SIGHUP).
 */
#include "output/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#define SINK_IOV 64
#define FILE_MODE 0640

static int open_file(const char *path)
{
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, FILE_MODE);
}

static bool stdout_matches(const char *spec)
{
	return !strcmp(spec, "stdout");
}

static bool file_matches(const char *spec)
{
	return !strncmp(spec, "file:", 5);
}

static int stdout_open(struct sink *s, char *err, size_t errlen)
{
	s->fd = STDOUT_FILENO;
	return 0;
}

static int file_open(struct sink *s, char *err, size_t errlen)
{
	s->path = strdup(s->spec + strlen("file:"));
	if (!s->path) {
		snprintf(err, errlen, "output '%s': out of memory", s->spec);
		return -ENOMEM;
	}
	if (!*s->path) {
		snprintf(err, errlen, "output '%s': empty path (expected file:PATH)", s->spec);
		return -EINVAL;
	}
	s->fd = open_file(s->path);
	if (s->fd < 0) {
		int e = errno;

		snprintf(err, errlen, "output '%s': cannot open %s: %s", s->spec, s->path,
			 strerror(e));
		return -e;
	}
	return 0;
}

static void file_reopen(struct sink *s)
{
	int fd = open_file(s->path);

	if (fd < 0) {
		sink_log(s, LOG_ERR, "reopen failed, still writing to the old file: %s",
			 strerror(errno));
		return;
	}
	close(s->fd);
	s->fd = fd;
	sink_log(s, LOG_INFO, "reopened");
}

/* Writes every byte of iov[0..n-1]; returns 0 or -errno. Modifies iov. */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* an inherited non-blocking stdout: wait for room */
				struct pollfd p = {.fd = fd, .events = POLLOUT};

				poll(&p, 1, 1000);
				continue;
			}
			return -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* Up to SINK_IOV records in one writev(2). */
static uint64_t fd_deliver(struct sink *s, uint64_t *pos, uint64_t end)
{
	struct iovec iov[SINK_IOV];
	struct osq_rec r;
	int k = 0, rc;

	while (k < SINK_IOV && sink_next(s, pos, end, &r)) {
		iov[k].iov_base = (void *)r.data;
		iov[k].iov_len = r.len;
		k++;
	}
	rc = write_all(s->fd, iov, k);
	if (rc) {
		atomic_fetch_add(&s->errors, 1);
		atomic_fetch_add(&s->dropped_error, (uint64_t)k);
		if (!s->failing)
			sink_log(s, LOG_ERR, "write failed, dropping alerts: %s", strerror(-rc));
		s->failing = true;
	} else {
		atomic_fetch_add(&s->sent, (uint64_t)k);
		if (s->failing)
			sink_log(s, LOG_NOTICE, "writing again");
		s->failing = false;
	}
	return (uint64_t)k;
}

static void file_close(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->path);
	s->path = NULL;
}

const struct sink_ops sink_stdout_ops = {
    .name = "stdout",
    .matches = stdout_matches,
    .open = stdout_open,
    .main = sink_consume,
    .deliver = fd_deliver,
};

const struct sink_ops sink_file_ops = {
    .name = "file",
    .matches = file_matches,
    .open = file_open,
    .main = sink_consume,
    .deliver = fd_deliver,
    .reopen = file_reopen,
    .close = file_close,
};
