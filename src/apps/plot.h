/* plot.h -- running gnuplot on the scripts a command wrote (figures of
 * `cep theorem` and `cep train`). */
#ifndef CEP_PLOT_H
#define CEP_PLOT_H

#include <stddef.h>

/* Run `gnuplot <script>` for each script, inside dir, output appended to
 * dir/gnuplot.log; 1 when every run succeeded, 0 otherwise (gnuplot
 * missing included).  A caught SIGINT/SIGTERM (cep_stop_requested) does not
 * abandon a running gnuplot (it is waited for) but starts no further one. */
int cep_gnuplot_run(const char *dir, const char *const *scripts, size_t n);

#endif
