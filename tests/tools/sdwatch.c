/* sdwatch: runs a program with NOTIFY_SOCKET pointing at a datagram socket of its own and
 * appends every notification it sends (READY=1, STATUS=..., WATCHDOG=1, STOPPING=1) as a line
 * to a log file, so tests can wait for readiness instead of sleeping. Exits with the program's
 * status when it ends; signals it receives are passed on to the program.
 * Usage: sdwatch LOGFILE PROGRAM [ARGS...] */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t s_child;

static void forward(int sig)
{
	if (s_child > 0)
		kill(s_child, sig);
}

int main(int argc, char **argv)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct sigaction sa = {.sa_handler = forward};
	FILE *log;
	int fd, status = 0;
	pid_t pid;

	if (argc < 3) {
		fprintf(stderr, "usage: sdwatch LOGFILE PROGRAM [ARGS...]\n");
		return 2;
	}
	log = fopen(argv[1], "a");
	if (!log) {
		perror(argv[1]);
		return 2;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.sock", argv[1]);
	unlink(addr.sun_path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("sdwatch: socket");
		return 2;
	}
	setenv("NOTIFY_SOCKET", addr.sun_path, 1);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pid = fork();
	if (pid < 0) {
		perror("sdwatch: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	s_child = pid;
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		char buf[4096];
		pid_t w;

		if (poll(&p, 1, 100) > 0) {
			ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);
			if (n > 0) {
				buf[n] = 0;
				for (char *line = strtok(buf, "\n"); line;
				     line = strtok(NULL, "\n"))
					fprintf(log, "%s\n", line);
			}
			continue;
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			break;
	}
	/* Whatever was sent just before the end. */
	for (;;) {
		char buf[4096];
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n <= 0)
			break;
		buf[n] = 0;
		fprintf(log, "%s\n", buf);
	}
	fprintf(log, "EXIT=%d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	unlink(addr.sun_path);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
