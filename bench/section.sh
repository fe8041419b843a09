# section.sh — sourced by the bench scripts that keep a section of their
# own in a results file (bench/boot.sh, net.sh, compare.sh).
#
# section_write OUT BEGIN END FILE: FILE (which starts with the line BEGIN
# and ends with the line END) replaces the lines from BEGIN to END in OUT,
# or is appended to OUT (created if missing) when OUT has no line BEGIN.
# The rest of OUT is kept as it was.
section_write() {
	local out=$1 begin=$2 end=$3 file=$4 tmp
	tmp=$(mktemp "${TMPDIR:-/tmp}/bench-section.XXXXXX") || return 1
	if [ -f "$out" ] && grep -qxF "$begin" "$out"; then
		awk -v b="$begin" -v e="$end" -v f="$file" '
		$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0; next }
		!skip' "$out" >"$tmp"
	else
		{ [ -f "$out" ] && cat "$out" && echo; cat "$file"; } >"$tmp"
	fi && cp "$tmp" "$out"
	local rc=$?
	rm -f "$tmp"
	return $rc
}
