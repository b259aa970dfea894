/*
 * uidx_test.c: the Id -> connections index against a plain model: random
 * logins and logouts over few Ids (long lists) and many Ids (table churn,
 * backward-shift deletion), with every Id's list checked after each step.
 * Ids are chosen so they all land on one worker of 8, as in cometd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/owner.h"
#include "server/uidx.h"

#define NFD	2000

static int fails;

#define CHECK(c) do { if (!(c) && fails++ < 20) \
	fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); } while (0)

static char ids[NFD][16];	/* the model: fd -> Id, "" when out */
static char pool[4 * NFD][16];	/* Ids owned by worker 3 of 8 */

static const char *
key(void *arg, int fd, size_t *len)
{
	(void)arg;
	*len = strlen(ids[fd]);
	return ids[fd];
}

static void
mkpool(void)
{
	int n = 0, i;

	for (i = 0; n < 4 * NFD; i++) {
		snprintf(pool[n], sizeof(pool[n]), "u%d", i);
		if (owner_of(pool[n], strlen(pool[n]), 8) == 3)
			n++;
	}
}

/* Every fd in id's list is logged in under id, and the count matches. */
static void
verify(struct uidx *ux, const char *id)
{
	int fd, n = 0, want = 0, i;

	for (i = 0; i < NFD; i++)
		want += strcmp(ids[i], id) == 0;
	for (fd = uidx_first(ux, id, strlen(id)); fd != -1;
	    fd = uidx_next(ux, fd)) {
		CHECK(strcmp(ids[fd], id) == 0);
		if (++n > NFD)
			break;
	}
	CHECK(n == want);
}

static void
churn(struct uidx *ux, int nids, int steps)
{
	const char *id;
	static int conns;
	int fd, s, i;

	for (s = 0; s < steps; s++) {
		fd = random() % NFD;
		if (ids[fd][0] == '\0') {
			id = pool[random() % nids];
			strcpy(ids[fd], id);
			CHECK(uidx_login(ux, fd, id, strlen(id)) == 0);
			conns++;
		} else {
			id = pool[0];
			uidx_logout(ux, fd);
			strcpy(pool[4 * NFD - 1], ids[fd]);
			ids[fd][0] = '\0';
			id = pool[4 * NFD - 1];
			conns--;
		}
		CHECK(uidx_member(ux, fd) == (ids[fd][0] != '\0'));
		CHECK((int)ux->ux_conns == conns);
		verify(ux, id);
	}
	for (i = 0; i < nids; i += 1 + nids / 50)
		verify(ux, pool[i]);
}

int
main(void)
{
	struct uidx ux;
	size_t per;
	int fd;

	mkpool();
	if (uidx_init(&ux, NFD, key, NULL) == -1)
		return 2;
	CHECK(uidx_first(&ux, "nobody", 6) == -1);
	CHECK(uidx_login(&ux, NFD, "x", 1) == -1);
	strcpy(ids[7], "x");
	CHECK(uidx_login(&ux, 7, "x", 1) == 0);
	CHECK(uidx_login(&ux, 7, "x", 1) == -1);
	uidx_logout(&ux, 7);
	uidx_logout(&ux, 7);
	ids[7][0] = '\0';
	CHECK(ux.ux_conns == 0 && ux.ux_ids == 0);
	srandom(2);
	churn(&ux, 3, 10000);
	churn(&ux, 4 * NFD - 1, 30000);
	for (fd = 0; fd < NFD; fd++)
		if (ids[fd][0] != '\0') {
			uidx_logout(&ux, fd);
			ids[fd][0] = '\0';
		}
	CHECK(ux.ux_conns == 0 && ux.ux_ids == 0);
	/* index memory per fd at one cometd worker's 20,000 fds */
	uidx_free(&ux);
	if (uidx_init(&ux, 20000, key, NULL) == -1)
		return 2;
	per = ((ux.ux_mask + 1) * sizeof(struct uidx_slot) +
	    20000 * sizeof(struct uidx_link)) / 20000;
	CHECK(per <= 32);
	uidx_free(&ux);
	if (fails) {
		fprintf(stderr, "uidx_test: %d failed\n", fails);
		return 1;
	}
	printf("uidx_test: ok, %zu bytes per fd at 20000 fds\n", per);
	return 0;
}
