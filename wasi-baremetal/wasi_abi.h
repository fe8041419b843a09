/*
 * wasi_abi.h — the wasi_snapshot_preview1 ABI as the witx defines it
 * (WebAssembly/WASI, phases/snapshot/witx/typenames.witx): errno values,
 * file types, rights, clock ids, and the layout of every struct the guest
 * and the host exchange through linear memory (wasm32: pointers and sizes
 * are u32, little-endian, natural alignment).  The static asserts below
 * pin each size and offset to the witx-calculated values.
 */
#ifndef WASI_ABI_H
#define WASI_ABI_H

#include <stddef.h>
#include <stdint.h>

/* ---- errno (u16) ------------------------------------------------------ */
/* All 77, in witx order (the value is the position). */
enum wasi_errno {
	WASI_ESUCCESS = 0,
	WASI_E2BIG = 1,
	WASI_EACCES = 2,
	WASI_EADDRINUSE = 3,
	WASI_EADDRNOTAVAIL = 4,
	WASI_EAFNOSUPPORT = 5,
	WASI_EAGAIN = 6,
	WASI_EALREADY = 7,
	WASI_EBADF = 8,
	WASI_EBADMSG = 9,
	WASI_EBUSY = 10,
	WASI_ECANCELED = 11,
	WASI_ECHILD = 12,
	WASI_ECONNABORTED = 13,
	WASI_ECONNREFUSED = 14,
	WASI_ECONNRESET = 15,
	WASI_EDEADLK = 16,
	WASI_EDESTADDRREQ = 17,
	WASI_EDOM = 18,
	WASI_EDQUOT = 19,
	WASI_EEXIST = 20,
	WASI_EFAULT = 21,
	WASI_EFBIG = 22,
	WASI_EHOSTUNREACH = 23,
	WASI_EIDRM = 24,
	WASI_EILSEQ = 25,
	WASI_EINPROGRESS = 26,
	WASI_EINTR = 27,
	WASI_EINVAL = 28,
	WASI_EIO = 29,
	WASI_EISCONN = 30,
	WASI_EISDIR = 31,
	WASI_ELOOP = 32,
	WASI_EMFILE = 33,
	WASI_EMLINK = 34,
	WASI_EMSGSIZE = 35,
	WASI_EMULTIHOP = 36,
	WASI_ENAMETOOLONG = 37,
	WASI_ENETDOWN = 38,
	WASI_ENETRESET = 39,
	WASI_ENETUNREACH = 40,
	WASI_ENFILE = 41,
	WASI_ENOBUFS = 42,
	WASI_ENODEV = 43,
	WASI_ENOENT = 44,
	WASI_ENOEXEC = 45,
	WASI_ENOLCK = 46,
	WASI_ENOLINK = 47,
	WASI_ENOMEM = 48,
	WASI_ENOMSG = 49,
	WASI_ENOPROTOOPT = 50,
	WASI_ENOSPC = 51,
	WASI_ENOSYS = 52,
	WASI_ENOTCONN = 53,
	WASI_ENOTDIR = 54,
	WASI_ENOTEMPTY = 55,
	WASI_ENOTRECOVERABLE = 56,
	WASI_ENOTSOCK = 57,
	WASI_ENOTSUP = 58,
	WASI_ENOTTY = 59,
	WASI_ENXIO = 60,
	WASI_EOVERFLOW = 61,
	WASI_EOWNERDEAD = 62,
	WASI_EPERM = 63,
	WASI_EPIPE = 64,
	WASI_EPROTO = 65,
	WASI_EPROTONOSUPPORT = 66,
	WASI_EPROTOTYPE = 67,
	WASI_ERANGE = 68,
	WASI_EROFS = 69,
	WASI_ESPIPE = 70,
	WASI_ESRCH = 71,
	WASI_ESTALE = 72,
	WASI_ETIMEDOUT = 73,
	WASI_ETXTBSY = 74,
	WASI_EXDEV = 75,
	WASI_ENOTCAPABLE = 76,
};

/* ---- filetype (u8) ---------------------------------------------------- */
#define WASI_FILETYPE_UNKNOWN           0
#define WASI_FILETYPE_BLOCK_DEVICE      1
#define WASI_FILETYPE_CHARACTER_DEVICE  2
#define WASI_FILETYPE_DIRECTORY         3
#define WASI_FILETYPE_REGULAR_FILE      4
#define WASI_FILETYPE_SOCKET_DGRAM      5
#define WASI_FILETYPE_SOCKET_STREAM     6
#define WASI_FILETYPE_SYMBOLIC_LINK     7

/* ---- fdflags (u16) ---------------------------------------------------- */
#define WASI_FDFLAG_APPEND      (1u << 0)
#define WASI_FDFLAG_DSYNC       (1u << 1)
#define WASI_FDFLAG_NONBLOCK    (1u << 2)
#define WASI_FDFLAG_RSYNC       (1u << 3)
#define WASI_FDFLAG_SYNC        (1u << 4)

/* ---- rights (u64) ----------------------------------------------------- */
#define WASI_RIGHT_FD_DATASYNC          (1ull << 0)
#define WASI_RIGHT_FD_READ              (1ull << 1)
#define WASI_RIGHT_FD_SEEK              (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS  (1ull << 3)
#define WASI_RIGHT_FD_SYNC              (1ull << 4)
#define WASI_RIGHT_FD_TELL              (1ull << 5)
#define WASI_RIGHT_FD_WRITE             (1ull << 6)
#define WASI_RIGHT_FD_ADVISE            (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE          (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE     (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE     (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET     (1ull << 12)
#define WASI_RIGHT_PATH_OPEN            (1ull << 13)
#define WASI_RIGHT_FD_READDIR           (1ull << 14)
#define WASI_RIGHT_PATH_READLINK        (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE   (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET   (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET    (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET      (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK         (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE     (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE    (1ull << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN        (1ull << 28)
#define WASI_RIGHT_SOCK_ACCEPT          (1ull << 29)    /* witx 2022: sock_accept */
#define WASI_RIGHTS_ALL                 ((1ull << 30) - 1)

/* ---- oflags (u16), lookupflags (u32), fstflags (u16), advice (u8) ----- */
#define WASI_O_CREAT            (1u << 0)
#define WASI_O_DIRECTORY        (1u << 1)
#define WASI_O_EXCL             (1u << 2)
#define WASI_O_TRUNC            (1u << 3)

#define WASI_LOOKUP_SYMLINK_FOLLOW (1u << 0)

#define WASI_FSTFLAG_ATIM       (1u << 0)
#define WASI_FSTFLAG_ATIM_NOW   (1u << 1)
#define WASI_FSTFLAG_MTIM       (1u << 2)
#define WASI_FSTFLAG_MTIM_NOW   (1u << 3)

#define WASI_ADVICE_NOREUSE     5       /* the last of normal..noreuse */

/* ---- clocks, whence, events ------------------------------------------- */
#define WASI_CLOCK_REALTIME             0
#define WASI_CLOCK_MONOTONIC            1
#define WASI_CLOCK_PROCESS_CPUTIME_ID   2
#define WASI_CLOCK_THREAD_CPUTIME_ID    3

#define WASI_WHENCE_SET 0
#define WASI_WHENCE_CUR 1
#define WASI_WHENCE_END 2

#define WASI_EVENTTYPE_CLOCK    0
#define WASI_EVENTTYPE_FD_READ  1
#define WASI_EVENTTYPE_FD_WRITE 2

#define WASI_SUBCLOCKFLAG_ABSTIME (1u << 0)

#define WASI_PREOPENTYPE_DIR 0

#define WASI_EVENTRWFLAGS_HANGUP 1u     /* eventrwflags.fd_readwrite_hangup */

/* ---- sockets: riflags, roflags (u16), sdflags (u8); siflags has no bit */
#define WASI_RIFLAG_RECV_PEEK           (1u << 0)
#define WASI_RIFLAG_RECV_WAITALL        (1u << 1)
#define WASI_ROFLAG_RECV_DATA_TRUNCATED (1u << 0)
#define WASI_SDFLAG_RD                  (1u << 0)
#define WASI_SDFLAG_WR                  (1u << 1)

/* ---- structs in guest memory ------------------------------------------ */

/* ciovec / iovec: { buf: pointer, buf_len: size } */
struct wasi_ciovec {
	uint32_t buf;
	uint32_t buf_len;
};

struct wasi_fdstat {
	uint8_t fs_filetype;
	uint8_t pad0;
	uint16_t fs_flags;
	uint32_t pad1;
	uint64_t fs_rights_base;
	uint64_t fs_rights_inheriting;
};

struct wasi_filestat {
	uint64_t dev;
	uint64_t ino;
	uint8_t filetype;
	uint8_t pad[7];
	uint64_t nlink;
	uint64_t size;
	uint64_t atim;
	uint64_t mtim;
	uint64_t ctim;
};

/* dirent: followed by d_namlen bytes of name (no NUL) in fd_readdir's
 * buffer. */
struct wasi_dirent {
	uint64_t d_next;        /* cookie of the next entry */
	uint64_t d_ino;
	uint32_t d_namlen;
	uint8_t d_type;
	uint8_t pad[3];
};

/* prestat: union tagged by preopentype; dir: { pr_name_len: size } */
struct wasi_prestat {
	uint8_t tag;
	uint8_t pad[3];
	uint32_t pr_name_len;
};

/* subscription: userdata, then the union `u` (tag u8 at 8, body at 16). */
struct wasi_subscription {
	uint64_t userdata;
	uint8_t tag;
	uint8_t pad[7];
	union {
		struct {
			uint32_t id;
			uint32_t pad;
			uint64_t timeout;
			uint64_t precision;
			uint16_t flags;
			uint8_t pad2[6];
		} clock;
		struct {
			uint32_t fd;
		} fd_readwrite;
	} u;
};

struct wasi_event {
	uint64_t userdata;
	uint16_t error;
	uint8_t type;
	uint8_t pad[5];
	uint64_t nbytes;        /* fd_readwrite.nbytes */
	uint16_t flags;         /* fd_readwrite.flags */
	uint8_t pad2[6];
};

_Static_assert(sizeof(struct wasi_ciovec) == 8, "witx: ciovec");
_Static_assert(offsetof(struct wasi_ciovec, buf_len) == 4, "witx: ciovec");
_Static_assert(sizeof(struct wasi_fdstat) == 24, "witx: fdstat");
_Static_assert(offsetof(struct wasi_fdstat, fs_flags) == 2, "witx: fdstat");
_Static_assert(offsetof(struct wasi_fdstat, fs_rights_base) == 8, "witx: fdstat");
_Static_assert(offsetof(struct wasi_fdstat, fs_rights_inheriting) == 16, "witx: fdstat");
_Static_assert(sizeof(struct wasi_filestat) == 64, "witx: filestat");
_Static_assert(offsetof(struct wasi_filestat, filetype) == 16, "witx: filestat");
_Static_assert(offsetof(struct wasi_filestat, nlink) == 24, "witx: filestat");
_Static_assert(offsetof(struct wasi_filestat, size) == 32, "witx: filestat");
_Static_assert(offsetof(struct wasi_filestat, atim) == 40, "witx: filestat");
_Static_assert(offsetof(struct wasi_filestat, ctim) == 56, "witx: filestat");
_Static_assert(sizeof(struct wasi_dirent) == 24, "witx: dirent");
_Static_assert(offsetof(struct wasi_dirent, d_ino) == 8, "witx: dirent");
_Static_assert(offsetof(struct wasi_dirent, d_namlen) == 16, "witx: dirent");
_Static_assert(offsetof(struct wasi_dirent, d_type) == 20, "witx: dirent");
_Static_assert(sizeof(struct wasi_prestat) == 8, "witx: prestat");
_Static_assert(offsetof(struct wasi_prestat, pr_name_len) == 4, "witx: prestat");
_Static_assert(sizeof(struct wasi_subscription) == 48, "witx: subscription");
_Static_assert(offsetof(struct wasi_subscription, tag) == 8, "witx: subscription");
_Static_assert(offsetof(struct wasi_subscription, u) == 16, "witx: subscription");
_Static_assert(offsetof(struct wasi_subscription, u.clock.timeout) == 24, "witx: subscription_clock");
_Static_assert(offsetof(struct wasi_subscription, u.clock.precision) == 32, "witx: subscription_clock");
_Static_assert(offsetof(struct wasi_subscription, u.clock.flags) == 40, "witx: subscription_clock");
_Static_assert(sizeof(struct wasi_event) == 32, "witx: event");
_Static_assert(offsetof(struct wasi_event, error) == 8, "witx: event");
_Static_assert(offsetof(struct wasi_event, type) == 10, "witx: event");
_Static_assert(offsetof(struct wasi_event, nbytes) == 16, "witx: event_fd_readwrite");
_Static_assert(offsetof(struct wasi_event, flags) == 24, "witx: event_fd_readwrite");

#endif
