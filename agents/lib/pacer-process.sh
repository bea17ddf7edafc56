# pacer-process.sh: pid-file-managed daemons for pacer's agents (daemon,
# openstack, ganesha, nfsserver's rpc.mountd). Sourced after pacer-ocf.sh.
#
# A daemon runs detached in a session of its own (setsid), with stdin from
# /dev/null and its output in a log file, so the agent can exit while the
# daemon lives on and the executor's pipes close. The pid file holds the
# daemon's own pid (the launcher writes $$ and then execs the program), and
# that pid leads the session's process group, which stop signals as a whole.

# proc_start PIDFILE LOGFILE WORKDIR USER PROGRAM [ARGS...]
# USER empty = run as the agent's user. Returns once the pid file exists.
proc_start() {
	_pidfile=$1 _log=$2 _workdir=$3 _user=$4
	shift 4
	mkdir -p "$(dirname "$_pidfile")" 2>/dev/null
	rm -f "$_pidfile"
	if [ -n "$_user" ] && [ "$_user" != "$(id -un)" ]; then
		_home=$(getent passwd "$_user" | cut -d: -f6)
		set -- setpriv --reuid="$_user" --regid="$(id -g "$_user")" --init-groups -- \
			env HOME="${_home:-/}" USER="$_user" LOGNAME="$_user" "$@"
	fi
	# shellcheck disable=SC2016 # expanded by the launcher shell, not here
	setsid -f sh -c 'echo $$ >"$1.new" && mv -f "$1.new" "$1" && cd "$2" && shift 2 && exec "$@"' \
		pacer-launch "$_pidfile" "$_workdir" "$@" </dev/null >>"$_log" 2>&1 ||
		{ ocf_fail $OCF_ERR_GENERIC "could not launch $1"; return; }
	ocf_wait_for 5 test -s "$_pidfile" ||
		{ ocf_fail $OCF_ERR_GENERIC "$1 did not start: no pid file $_pidfile appeared (see ${_log})"; return; }
	return $OCF_SUCCESS
}

# proc_matches PID PROGRAM: is PID alive and running PROGRAM (its name
# appears in the command line)? Guards against a recycled pid.
proc_matches() {
	ocf_pid_alive "$1" || return 1
	[ -n "$2" ] || return 0
	_want=$(basename "$2")
	tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -q -F -- "$_want"
}

# proc_status PIDFILE PROGRAM: 0 running, 7 no pid file (cleanly stopped),
# 1 pid file left behind by a process that is gone.
proc_status() {
	[ -e "$1" ] || return $OCF_NOT_RUNNING
	_pid=$(ocf_read_pidfile "$1") || return $OCF_ERR_GENERIC
	proc_matches "$_pid" "$2" && return $OCF_SUCCESS
	return $OCF_ERR_GENERIC
}

# proc_monitor PIDFILE PROGRAM: proc_status as a monitor result, with a
# reason. A stale pid file is "not running" to a probe (nothing to clean up
# but the file) and a failure to a recurring monitor (the daemon died).
proc_monitor() {
	proc_status "$1" "$2"
	case $? in
	0) return $OCF_SUCCESS ;;
	7) return $OCF_NOT_RUNNING ;;
	*)
		if ocf_is_probe; then
			ocf_log info "stale pid file $1: $(basename "$2") is not running"
			return $OCF_NOT_RUNNING
		fi
		ocf_fail $OCF_ERR_GENERIC "$(basename "$2") (pid $(ocf_read_pidfile "$1")) has exited"
		;;
	esac
}

proc_gone() {
	! ocf_pid_alive "$1"
}

# proc_signal SIGNAL PID: the daemon's process group, and the pid itself in
# case it left its group.
proc_signal() {
	kill -s "$1" -- "-$2" 2>/dev/null
	kill -s "$1" "$2" 2>/dev/null
}

# proc_stop PIDFILE PROGRAM GRACE: TERM, then KILL after GRACE seconds;
# removes the pid file once the process is gone. Stopped already = success.
proc_stop() {
	_pidfile=$1 _program=$2 _grace=$3
	_pid=$(ocf_read_pidfile "$_pidfile")
	if [ -z "$_pid" ] || ! proc_matches "$_pid" "$_program"; then
		rm -f "$_pidfile"
		return $OCF_SUCCESS
	fi
	proc_signal TERM "$_pid"
	if ! ocf_wait_for "$_grace" proc_gone "$_pid"; then
		ocf_log warn "$(basename "$_program") (pid $_pid) ignored SIGTERM for ${_grace}s; sending SIGKILL"
		proc_signal KILL "$_pid"
		ocf_wait_for 5 proc_gone "$_pid" ||
			{ ocf_fail $OCF_ERR_GENERIC "$(basename "$_program") (pid $_pid) survived SIGKILL (stuck in the kernel?)"; return; }
	fi
	rm -f "$_pidfile"
	return $OCF_SUCCESS
}

# proc_stop_grace PARAM_VALUE: seconds to wait after SIGTERM: the parameter
# when set, else the stop timeout less 5 seconds for SIGKILL and clean-up.
proc_stop_grace() {
	if [ -n "$1" ]; then
		echo "$1"
		return
	fi
	_t=$(ocf_op_timeout 20)
	_t=$((_t - 5))
	[ "$_t" -ge 1 ] || _t=1
	echo "$_t"
}

# proc_validate_host PROGRAM USER WORKDIR: checks shared by daemon-style
# agents (the program is installed, the user and directory exist).
proc_validate_host() {
	check_binary setsid || return
	check_binary "$1" || return
	if [ -n "$2" ] && [ "$2" != "$(id -un)" ]; then
		id "$2" >/dev/null 2>&1 || { ocf_fail $OCF_ERR_ARGS "user '$2' does not exist on this node"; return; }
		check_binary setpriv || return
	fi
	[ -z "$3" ] || [ -d "$3" ] || { ocf_fail $OCF_ERR_ARGS "working directory '$3' does not exist on this node"; return; }
	return $OCF_SUCCESS
}

# proc_resolve PROGRAM: the full path of PROGRAM (as given when it has a slash).
proc_resolve() {
	case "$1" in
	*/*) echo "$1" ;;
	*) command -v "$1" 2>/dev/null || echo "$1" ;;
	esac
}
