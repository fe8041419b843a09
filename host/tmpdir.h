/*
 * tmpdir.h — private scratch directories of the CLI (disk images, spec
 * blobs): created under $TMPDIR (or /tmp) with mode 0700, removed with
 * their (flat) contents afterwards.
 */
#ifndef HOST_TMPDIR_H
#define HOST_TMPDIR_H

/* "$TMPDIR/<prefix>.XXXXXX", created; NULL with errno set on failure.
 * The caller owns the string and passes it to tmpdir_remove. */
char *tmpdir_make(const char *prefix);

/* Remove the files directly inside dir, then dir itself; frees dir. */
void tmpdir_remove(char *dir);

#endif
