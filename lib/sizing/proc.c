/*
 * proc.c: what one process costs, read from /proc.
 *
 * Resident memory is VmRSS of /proc/PID/status: the same figure ps(1) and
 * top(1) show (anonymous + file-backed + shared memory pages resident), so
 * our numbers can be checked against theirs; or RssAnon, its anonymous
 * part, which leaves out the code pages a process touches once.  Sockets are counted by
 * reading the links in /proc/PID/fd: a socket's link is "socket:[inode]".
 * Both treat a zombie as gone: it holds no memory and no files.
 * Children are listed by the kernel per thread, in
 * /proc/PID/task/TID/children: a process's children are those of all its
 * threads.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

/* Read all of a small /proc file into buf (NUL-terminated).  -1 on error. */
static int
proc_slurp(const char *path, char *buf, size_t len)
{
	ssize_t n;
	size_t off = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (off < len - 1) {
		n = read(fd, buf + off, len - 1 - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		off += n;
	}
	buf[off] = '\0';
	close(fd);
	return 0;
}

/* The value of "Key:" in a status buffer, or NULL if the key is absent. */
static const char *
proc_field(const char *buf, const char *key)
{
	size_t klen = strlen(key);
	const char *p = buf;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return p + klen + 1;
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return NULL;
}

/* VmRSS is in kB; a zombie still has a status file, but nothing in it. */
int
proc_rss(pid_t pid, int anon, unsigned long long *bytes)
{
	char path[64], buf[4096];
	const char *v;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (proc_slurp(path, buf, sizeof(buf)) == -1) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	if ((v = proc_field(buf, "State")) != NULL) {
		v += strspn(v, " \t");
		if (*v == 'Z' || *v == 'X') {
			errno = ESRCH;
			return -1;
		}
	}
	v = proc_field(buf, anon ? "RssAnon" : "VmRSS");
	*bytes = v ? strtoull(v, NULL, 10) * 1024 : 0;
	return 0;
}

/*
 * One readlink per descriptor, no stat: a socket's link is
 * "socket:[inode]", which is all we need to know.
 */
int
proc_sockets(pid_t pid, long *n)
{
	char path[64], link[32];
	struct dirent *de;
	DIR *d;
	ssize_t len;
	long count = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		len = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		if (len >= 8 && memcmp(link, "socket:[", 8) == 0)
			count++;
	}
	closedir(d);
	*n = count;
	return 0;
}

/*
 * Pass each PID in buf (NUL-terminated) to fn.  A number running to the
 * end of buf may have been cut short by the read, so unless eof it is
 * left for the next: returns how many bytes were used, or -1 (EINVAL for
 * anything but digits and spaces, or fn's -1).
 */
static ssize_t
proc_pids(const char *buf, int eof, int (*fn)(pid_t, void *), void *arg)
{
	const char *p = buf, *end;
	long v;

	for (;;) {
		p += strspn(p, " \n");
		if (*p == '\0')
			return p - buf;
		end = p + strspn(p, "0123456789");
		if (*end == '\0' && !eof)
			return p - buf;
		if (end == p || end - p > 9 || (*end != '\0' &&
		    *end != ' ' && *end != '\n')) {
			errno = EINVAL;
			return -1;
		}
		v = strtol(p, NULL, 10);
		if (fn((pid_t)v, arg) == -1)
			return -1;
		p = end;
	}
}

/* The children of one thread; a thread that exited meanwhile has none. */
static int
proc_task_children(int taskfd, const char *tid, int (*fn)(pid_t, void *),
    void *arg)
{
	char path[64], buf[4096];
	size_t have = 0;
	ssize_t n, used;
	int fd, saved;

	snprintf(path, sizeof(path), "%s/children", tid);
	if ((fd = openat(taskfd, path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno != ENOENT)
			return -1;
		/* the thread is still there: this kernel has no such file */
		if (faccessat(taskfd, tid, F_OK, 0) == 0) {
			errno = ENOTSUP;
			return -1;
		}
		return 0;
	}
	do {
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		have += n;
		buf[have] = '\0';
		if ((used = proc_pids(buf, n == 0, fn, arg)) == -1) {
			n = -1;
			break;
		}
		have -= used;
		memmove(buf, buf + used, have + 1);
	} while (n != 0);
	saved = errno;
	close(fd);
	errno = saved;
	return n == -1 ? -1 : 0;
}

int
proc_children(pid_t pid, int (*fn)(pid_t, void *), void *arg)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int rv = 0, saved;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) == NULL) {
		if (errno == ENOENT)
			errno = ESRCH;
		return -1;
	}
	while (rv == 0 && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			rv = proc_task_children(dirfd(d), de->d_name, fn, arg);
	saved = errno;
	closedir(d);
	errno = saved;
	return rv;
}
