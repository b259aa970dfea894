/*
 * proc.h: one process's resident memory, socket descriptors and children,
 * from /proc.  Nothing is kept between calls and nothing is allocated.
 */
#ifndef COMET_PROC_H
#define COMET_PROC_H

#include <sys/types.h>

/*
 * Store pid's resident set size in bytes (VmRSS, as ps(1) shows it) in
 * *bytes, or with anon set only its anonymous part (RssAnon: heap,
 * stacks, private mappings; no code or other file pages); a kernel
 * thread has none and reads as 0.  Returns 0, or -1 with errno set:
 * ESRCH when the process does not exist or is a zombie, or what open(2)
 * or read(2) failed with.
 */
int	proc_rss(pid_t, int, unsigned long long *);

/*
 * Store in *n how many of pid's open descriptors are sockets, of any
 * family.  A descriptor closed while being looked at is skipped.
 * Returns 0, or -1 with errno set: ESRCH when the process is gone,
 * EACCES when it belongs to another user.
 */
int	proc_sockets(pid_t, long *);

/*
 * Call fn(child, arg) once for each child of pid, the children of every
 * thread of it included (/proc/PID/task/TID/children): direct children
 * only, in the kernel's order.  A child that is a zombie is passed too.
 * Stops at the first fn that returns -1 and returns -1 with the errno fn
 * left.  Otherwise returns 0, or -1 with errno set: ESRCH when pid is
 * gone, ENOTSUP when the kernel has no children files
 * (CONFIG_PROC_CHILDREN), EINVAL when one holds something else.
 */
int	proc_children(pid_t, int (*)(pid_t, void *), void *);

#endif
