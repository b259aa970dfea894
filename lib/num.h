/* num.h: range-checked number parsing for option arguments. */
#ifndef COMET_NUM_H
#define COMET_NUM_H

long long	num_parse(const char *, long long, long long, const char **);
long long	num_parse_ms(const char *, long long, long long, const char **);
int		num_hexdigit(int);

#endif
