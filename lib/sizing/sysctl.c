/*
 * sysctl.c: kernel settings as files: "net.core.somaxconn" is
 * ROOT/net/core/somaxconn, ROOT being /proc/sys on a live system or a
 * copy of it in a test.  Only numeric settings of up to three numbers
 * (tcp_mem, tcp_rmem, ip_local_port_range) are handled: that is all
 * holding connections needs, and it keeps values comparable.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysctl.h"

/* ROOT/name with dots turned into slashes; -1 (ENAMETOOLONG) if too long. */
static int
sysctl_path(const char *root, const char *name, char *buf, size_t len)
{
	char *p;
	int n;

	n = snprintf(buf, len, "%s/%s", root, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + strlen(root) + 1; *p != '\0'; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

/* strtoll alone takes "12abc": a number must end at a space or the end. */
int
sysctl_parse(const char *s, struct sysctl_val *v)
{
	char *end;

	v->sv_n = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		if (v->sv_n == SYSCTL_MAXV)
			goto bad;
		errno = 0;
		v->sv_v[v->sv_n] = strtoll(s, &end, 10);
		if (end == s || errno != 0 ||
		    (*end != '\0' && !isspace((unsigned char)*end)))
			goto bad;
		v->sv_n++;
		s = end;
	}
	if (v->sv_n > 0)
		return 0;
bad:
	errno = EINVAL;
	return -1;
}

int
sysctl_read(const char *root, const char *name, struct sysctl_val *v)
{
	char path[4096], buf[256];
	ssize_t n;
	int fd, saved;

	if (sysctl_path(root, name, path, sizeof(path)) == -1)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	buf[n] = '\0';
	return sysctl_parse(buf, v);
}

/* An error may show only at close(2), so its status counts too. */
int
sysctl_write(const char *root, const char *name, const struct sysctl_val *v)
{
	char path[4096], buf[256];
	size_t len;
	ssize_t n;
	int fd, saved;

	if (sysctl_path(root, name, path, sizeof(path)) == -1)
		return -1;
	sysctl_format(v, buf, sizeof(buf) - 1);
	for (len = 0; buf[len] != '\0'; len++)
		if (buf[len] == ' ')
			buf[len] = '\t';
	buf[len++] = '\n';
	if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, buf, len);
	saved = errno;
	if (close(fd) == -1 && n != -1) {
		saved = errno;
		n = -1;
	}
	if (n != (ssize_t)len) {
		errno = n == -1 ? saved : EIO;
		return -1;
	}
	return 0;
}

char *
sysctl_format(const struct sysctl_val *v, char *buf, size_t len)
{
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; i < v->sv_n && off < len; i++) {
		n = snprintf(buf + off, len - off, "%s%lld", i ? " " : "",
		    v->sv_v[i]);
		if (n < 0)
			break;
		off += n;
	}
	return buf;
}
