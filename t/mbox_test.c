/*
 * mbox_test.c: the worker mailboxes, checked against the kernel rather
 * than assumed:
 * - records and descriptors arrive intact and in order, and more than
 *   253 descriptors are split over datagrams;
 * - a mailbox that nobody reads fills at its send buffer, well past
 *   net.unix.max_dgram_qlen datagrams (the socketpair skips that check),
 *   then says EAGAIN, to every process that sends on it;
 * - EPOLLOUT on the sending end fires once the reader catches up;
 * - a receiver out of descriptors gets MSG_CTRUNC, and the records whose
 *   descriptors were lost are reported with fd -1 and counted.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/mbox.h"

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

struct seen {
	int		 n;		/* records */
	int		 bad;		/* records not as sent */
	int		 fds;		/* good descriptors */
	int		 lost;		/* fd -1 */
	int		 small;		/* payloads of plen() % 64, keep fds */
};

static char big[MBOX_DGRAM];

/* Record i: tag i, Id "id<i>", payload i % 5 == 4 ? 64 KB : i bytes. */
static size_t
plen(int i)
{
	return i % 5 == 4 ? sizeof(big) : (size_t)i % 100;
}

static void
on_rec(void *arg, const struct mbox_rec *h, const char *id, const char *data,
    int fd)
{
	struct seen *s = arg;
	char want[32];
	int i = (int)h->mr_tag, len;

	len = snprintf(want, sizeof(want), "id%d", i);
	if (i != s->n || h->mr_src != 0 || h->mr_idlen != len ||
	    memcmp(id, want, (size_t)len) != 0 ||
	    h->mr_len != (s->small ? plen(i) % 64 : plen(i)) ||
	    memcmp(data, big, h->mr_len) != 0)
		s->bad++;
	s->n++;
	if (fd == -1 && h->mr_hasfd)
		s->lost++;
	else if (fd != -1) {
		/* tell the sender which record this pipe came with */
		if (write(fd, &i, sizeof(i)) == sizeof(i))
			s->fds++;
		if (!s->small)
			close(fd);
	}
}

/*
 * Worker 1: read until want records arrived (want -1: read the count
 * from go first); exit status 0 if all were as sent.
 */
static void
reader(struct mbox *mb, int want, int wantfds, int go)
{
	struct seen s = { 0, 0, 0, 0, 0 };

	if (want == -1 && read(go, &want, sizeof(want)) != sizeof(want))
		_exit(9);
	if (mbox_attach(mb, 1) == -1)
		_exit(9);
	while (s.n < want)
		if (mbox_recv(mb, 8, on_rec, &s) == 0)
			usleep(1000);
	mbox_close(mb);
	_exit(s.bad != 0 || s.fds != wantfds || s.lost != 0);
}

/* Records and 600 descriptors (pipes) from worker 0 to worker 1. */
static void
test_records(void)
{
	struct mbox mb;
	struct mbox_rec h;
	int p[600][2], i, j, st;
	char id[32];
	pid_t pid;

	CHECK(mbox_create(&mb, 2) == 0);
	if ((pid = fork()) == 0)
		reader(&mb, 1000, 600, -1);
	CHECK(mbox_attach(&mb, 0) == 0);
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 1000; i++) {
		h.mr_tag = (uint64_t)i;
		if (i < 600 && pipe(p[i]) == -1)
			break;
		snprintf(id, sizeof(id), "id%d", i);
		CHECK(mbox_put(&mb, 1, &h, id, strlen(id), big, plen(i),
		    i < 600 ? p[i][1] : -1) == 0);
		while (mbox_flush(&mb, 1) == 1)
			usleep(1000);
	}
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	for (i = 0; i < 600; i++) {
		CHECK(read(p[i][0], &j, sizeof(j)) == sizeof(j) && j == i);
		close(p[i][0]);
	}
	mbox_close(&mb);
}

/* Nobody reads mailbox 1: it fills, and EPOLLOUT waits for the reader. */
static void
test_full(void)
{
	struct mbox mb;
	struct mbox_rec h;
	struct epoll_event e;
	int go[2], ep, i, st, qlen = 0;
	char id[32];
	FILE *f;
	pid_t pid, sib;

	if ((f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r")) != NULL) {
		if (fscanf(f, "%d", &qlen) != 1)
			qlen = 0;
		fclose(f);
	}
	CHECK(mbox_create(&mb, 2) == 0);
	CHECK(pipe(go) == 0);
	if ((pid = fork()) == 0)
		reader(&mb, -1, 0, go[0]);
	CHECK(mbox_attach(&mb, 0) == 0);
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 100000; i++) {
		h.mr_tag = (uint64_t)i;
		snprintf(id, sizeof(id), "id%d", i);
		CHECK(mbox_put(&mb, 1, &h, id, strlen(id), big, plen(i), -1) ==
		    0);
		if (mbox_flush(&mb, 1) == 1)
			break;
	}
	/* more datagrams than max_dgram_qlen fit: the send buffer limits */
	CHECK(i > qlen);
	fprintf(stderr, "mbox_test: %d datagrams (%zu KB of records) queued "
	    "before EAGAIN; max_dgram_qlen %d\n", i,
	    (size_t)(i / 5) * 64 + (size_t)i / 20, qlen);
	/* another process sending on the same mailbox is refused too */
	if ((sib = fork()) == 0)
		_exit(send(mb.mb_tx[1], "x", 1, MSG_DONTWAIT) == -1 &&
		    errno == EAGAIN ? 0 : 1);
	CHECK(waitpid(sib, &st, 0) == sib && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	ep = epoll_create1(0);
	memset(&e, 0, sizeof(e));
	e.events = EPOLLOUT;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, mb.mb_tx[1], &e) == 0);
	CHECK(epoll_wait(ep, &e, 1, 200) == 0);
	/* the reader starts: i records are queued, record i still here */
	i++;
	CHECK(write(go[1], &i, sizeof(i)) == sizeof(i));
	CHECK(epoll_wait(ep, &e, 1, 10000) == 1);
	while (mbox_flush(&mb, 1) == 1)
		usleep(1000);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	close(ep);
	close(go[0]);
	close(go[1]);
	mbox_close(&mb);
}

/* The reader has room for 10 more descriptors; 100 arrive at once. */
static void
test_ctrunc(void)
{
	struct mbox mb;
	struct mbox_rec h;
	struct rlimit rl;
	struct seen s = { 0, 0, 0, 0, 1 };
	int p[100][2], i, st, go[2], last = -1;
	char id[32], c;
	pid_t pid;

	CHECK(mbox_create(&mb, 2) == 0);
	CHECK(pipe(go) == 0);
	if ((pid = fork()) == 0) {
		if (read(go[0], &c, 1) != 1 || mbox_attach(&mb, 1) == -1)
			_exit(9);
		/* fill every free descriptor, then free exactly 10 */
		rl.rlim_cur = rl.rlim_max = 256;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			_exit(9);
		while ((i = open("/dev/null", O_RDONLY)) != -1)
			last = i;
		for (i = 0; i < 10; i++)
			close(last - i);
		while (s.n < 100)
			if (mbox_recv(&mb, 1, on_rec, &s) == 0)
				usleep(1000);
		i = s.bad == 0 && s.fds == 10 && s.lost == 90 &&
		    mb.mb_lostfd == 90 ? 0 : 1;
		mbox_close(&mb);
		_exit(i);
	}
	CHECK(mbox_attach(&mb, 0) == 0);
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 100; i++) {
		h.mr_tag = (uint64_t)i;
		CHECK(pipe(p[i]) == 0);
		snprintf(id, sizeof(id), "id%d", i);
		CHECK(mbox_put(&mb, 1, &h, id, strlen(id), big,
		    plen(i) % 64, p[i][1]) == 0);
	}
	CHECK(mbox_flush(&mb, 1) == 0);
	CHECK(write(go[1], "g", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0);
	for (i = 0; i < 100; i++)
		close(p[i][0]);
	mbox_close(&mb);
}

int
main(void)
{
	int i;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = (char)(i * 7);
	test_records();
	test_full();
	test_ctrunc();
	if (fails) {
		fprintf(stderr, "mbox_test: %d failed\n", fails);
		return 1;
	}
	printf("mbox_test: ok\n");
	return 0;
}
