/* plot.c -- gnuplot runs of plot.h: fork, chdir into the directory, exec. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cep.h"
#include "apps/plot.h"

int cep_gnuplot_run(const char *dir, const char *const *scripts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cep_stop_requested())
            return 0;   /* SIGINT/SIGTERM: no more figures */
        fflush(NULL);   /* the child must not flush the parent's buffers again */
        pid_t pid = fork();
        if (pid < 0)
            return 0;
        if (pid == 0) {
            char log[4200];
            snprintf(log, sizeof log, "%s/gnuplot.log", dir);
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
            if (chdir(dir) != 0)
                _exit(127);
            execlp("gnuplot", "gnuplot", scripts[i], (char *)NULL);
            _exit(127);
        }
        int status = 0;
        pid_t w;
        while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
            ; /* a caught SIGINT/SIGTERM: gnuplot still writes, wait for it */
        if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 0;
    }
    return 1;
}
