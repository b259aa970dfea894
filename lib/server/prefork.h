/*
 * prefork.h: a parent that forks n workers and keeps them running.
 * SIGTERM or SIGINT to the parent stops every worker (SIGTERM, then
 * SIGKILL after a grace period) and returns.  Signals reach the parent
 * through a signalfd, so no handler runs inside library code.
 */
#ifndef COMET_PREFORK_H
#define COMET_PREFORK_H

#include <sys/types.h>

struct prefork {
	int		 pf_n;		/* workers */
	int		 (*pf_work)(int, void *);	/* worker body */
	/* called in the parent when worker idx died on its own */
	void		 (*pf_died)(int, pid_t, int, void *);
	/* called in the parent on SIGHUP (after passing it on), SIGUSR1 */
	void		 (*pf_hup)(void *);
	void		 (*pf_usr1)(void *);
	void		*pf_arg;
	int		 pf_grace_ms;	/* SIGTERM to SIGKILL on stop */
	pid_t		*pf_pid;	/* per worker, 0 while not running */
	long long	*pf_born;	/* ms when each was forked */
	int		 pf_sfd;	/* the parent's signalfd */
};

/*
 * Block SIGTERM, SIGINT, SIGCHLD, SIGHUP and SIGUSR1, fork pf_n workers
 * and supervise them: a worker runs pf_work(idx, pf_arg) with those
 * signals still blocked (it should read the ones it wants from its own
 * signalfd) and exits with its return value; it gets SIGTERM if the
 * parent dies.  A worker that dies is reported through pf_died and
 * forked again (after a second if it lived less than one).  SIGHUP is
 * passed on to every worker, then pf_hup is called; SIGUSR1 calls
 * pf_usr1; neither stops anything.  Returns 0 after a SIGTERM or SIGINT
 * once all workers are gone, or -1 with errno set if the supervisor
 * itself fails.
 */
int	 prefork_run(struct prefork *);

#endif
