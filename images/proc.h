/*
 * proc.h — running external tools for images/ (mtools, sfdisk, QEMU)
 * without a shell: argv vectors only, so paths may contain anything.
 * Internal to images/.
 */
#ifndef IMAGES_PROC_H
#define IMAGES_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct image_child {
	pid_t pid;
	int out_fd;             /* read end: the child's stdout + stderr */
};

/* Start argv[0] (searched in PATH).  stdin comes from stdin_path (or
 * /dev/null).  fd_map: pairs {parent_fd, child_fd} ended by -1; each
 * parent fd appears as child_fd in the child (nothing else is inherited).
 * new_group: the child leads its own process group and is killed if we
 * die.  0, or -1 with err filled. */
int image_spawn(const char *const argv[], const char *stdin_path,
		const int *fd_map, bool new_group, struct image_child *c,
		char *err, size_t errlen);

/* Run a tool to completion; fails (-1, err says which tool, its exit
 * status and the end of its output) unless it exits 0. */
int image_run_tool(const char *const argv[], const char *stdin_path,
		   char *err, size_t errlen);

/* Describe a waitpid status ("exit code 3", "killed by signal 9"). */
void image_describe_status(int status, char *buf, size_t len);

#endif
