/*
 * wasi_errno.c — the one place where a platform error (a negative value
 * of the platform's own errno.h: newlib's in the kernel, glibc's hosted;
 * plat.h) becomes a WASI errno (witx typenames.witx "errno", wasi_abi.h),
 * and the names of WASI errnos for log lines.
 *
 * The map is by name, compiled against each platform's errno.h, so the
 * numbers may differ between platforms.  It is a table searched in order,
 * not a switch, because some names share a number on some platforms
 * (EAGAIN and EWOULDBLOCK, ENOTSUP and EOPNOTSUPP on Linux).  Anything
 * not in the table is EIO.
 */
#include <errno.h>
#include "wasi_impl.h"

static const struct { int plat; uint16_t wasi; } errno_map[] = {
	{ EAGAIN, WASI_EAGAIN },
#ifdef EWOULDBLOCK
	{ EWOULDBLOCK, WASI_EAGAIN },
#endif
	{ EINPROGRESS, WASI_EINPROGRESS },
	{ EALREADY, WASI_EALREADY },
	{ EINTR, WASI_EINTR },
	{ EINVAL, WASI_EINVAL },
	{ EBADF, WASI_EBADF },
	{ EFAULT, WASI_EFAULT },
	{ ENOMEM, WASI_ENOMEM },
	{ ENOBUFS, WASI_ENOBUFS },
	{ EMFILE, WASI_EMFILE },
	{ ENFILE, WASI_ENFILE },
	{ EACCES, WASI_EACCES },
	{ EPERM, WASI_EPERM },
	{ ENOENT, WASI_ENOENT },
	{ EEXIST, WASI_EEXIST },
	{ EADDRINUSE, WASI_EADDRINUSE },
	{ EADDRNOTAVAIL, WASI_EADDRNOTAVAIL },
	{ EAFNOSUPPORT, WASI_EAFNOSUPPORT },
	{ EPROTONOSUPPORT, WASI_EPROTONOSUPPORT },
	{ EPROTOTYPE, WASI_EPROTOTYPE },
	{ ENOPROTOOPT, WASI_ENOPROTOOPT },
	{ ENOTSOCK, WASI_ENOTSOCK },
	{ ENOTSUP, WASI_ENOTSUP },
#ifdef EOPNOTSUPP
	{ EOPNOTSUPP, WASI_ENOTSUP },
#endif
	{ EISCONN, WASI_EISCONN },
	{ ENOTCONN, WASI_ENOTCONN },
	{ ECONNREFUSED, WASI_ECONNREFUSED },
	{ ECONNRESET, WASI_ECONNRESET },
	{ ECONNABORTED, WASI_ECONNABORTED },
	{ EPIPE, WASI_EPIPE },
	{ ETIMEDOUT, WASI_ETIMEDOUT },
	{ EHOSTUNREACH, WASI_EHOSTUNREACH },
	{ ENETUNREACH, WASI_ENETUNREACH },
	{ ENETDOWN, WASI_ENETDOWN },
	{ ENETRESET, WASI_ENETRESET },
	{ EMSGSIZE, WASI_EMSGSIZE },
	{ EDESTADDRREQ, WASI_EDESTADDRREQ },
	{ ENOSYS, WASI_ENOSYS },
	{ EIO, WASI_EIO },
	{ ENOSPC, WASI_ENOSPC },
	{ EOVERFLOW, WASI_EOVERFLOW },
	{ ERANGE, WASI_ERANGE },
	{ EPROTO, WASI_EPROTO },
	{ ENODEV, WASI_ENODEV },
	{ ENXIO, WASI_ENXIO },
};

int wasi_errno_from_plat(long err)
{
	int e = err < 0 ? (int)-err : (int)err;

	if (e == 0)
		return 0;
	for (size_t i = 0; i < sizeof(errno_map) / sizeof(errno_map[0]); i++)
		if (errno_map[i].plat == e)
			return errno_map[i].wasi;
	return WASI_EIO;
}

/* witx order; index = value */
static const char *const errno_names[] = {
	"SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT",
	"AGAIN", "ALREADY", "BADF", "BADMSG", "BUSY", "CANCELED", "CHILD",
	"CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ",
	"DOM", "DQUOT", "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ",
	"INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR", "LOOP", "MFILE",
	"MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET",
	"NETUNREACH", "NFILE", "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK",
	"NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS", "NOTCONN",
	"NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY",
	"NXIO", "OVERFLOW", "OWNERDEAD", "PERM", "PIPE", "PROTO",
	"PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH",
	"STALE", "TIMEDOUT", "TXTBSY", "XDEV", "NOTCAPABLE",
};
_Static_assert(sizeof(errno_names) / sizeof(errno_names[0]) == WASI_ENOTCAPABLE + 1,
	       "witx: 77 errno values");

const char *wasi_errno_name(int e)
{
	if (e < 0 || (size_t)e >= sizeof(errno_names) / sizeof(errno_names[0]))
		return "?";
	return errno_names[e];
}
