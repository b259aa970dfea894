/* proc.h: one process's resident memory and socket descriptors, from /proc. */
#ifndef COMET_PROC_H
#define COMET_PROC_H

#include <sys/types.h>

int	proc_rss(pid_t, unsigned long long *);
int	proc_sockets(pid_t, long *);

#endif
