# pacer-ocf.sh: the shared function library of pacer's OCF resource agents.
# POSIX sh; sourced, never run. Self-contained on purpose: the agents must
# work on hosts without resource-agents' ocf-shellfuncs.
#
# An agent sets RA_NAME and RA_ACTIONS, defines ra_metadata, ra_validate
# (called with "config" or "host"), ra_start, ra_stop, ra_monitor and any
# optional ra_<action> it lists, sources this file and calls
# `ocf_dispatch "$@"`. Everything comes in through the environment
# (OCF_RESKEY_*, OCF_CHECK_LEVEL, OCF_RESKEY_CRM_meta_*), as OCF says.

# --- exit codes (OCF 1.1) ---------------------------------------------------
OCF_SUCCESS=0
OCF_ERR_GENERIC=1
OCF_ERR_ARGS=2
OCF_ERR_UNIMPLEMENTED=3
OCF_ERR_PERM=4
OCF_ERR_INSTALLED=5
OCF_ERR_CONFIGURED=6
OCF_NOT_RUNNING=7
OCF_RUNNING_PROMOTED=8
OCF_FAILED_PROMOTED=9
OCF_DEGRADED=190
OCF_DEGRADED_PROMOTED=191

# --- logging ----------------------------------------------------------------

# ocf_log LEVEL MESSAGE...: one line on stderr, which the executor records.
# debug lines only appear with HA_debug=1.
ocf_log() {
	_level=$1
	shift
	if [ "$_level" = debug ] && [ "${HA_debug:-0}" != 1 ]; then
		return 0
	fi
	printf '%s(%s)[%s] %s: %s\n' "$RA_NAME" "${OCF_RESOURCE_INSTANCE:-?}" "$$" "$_level" "$*" >&2
}

# ocf_exit_reason MESSAGE...: the one-line reason the cluster shows for a
# failed action. Print it just before returning the failure code.
ocf_exit_reason() {
	printf '%s%s\n' "${OCF_EXIT_REASON_PREFIX:-ocf-exit-reason:}" "$*" >&2
}

# ocf_fail CODE MESSAGE...: exit reason plus return code, for `return`-ing
# from an action: `ocf_fail $OCF_ERR_CONFIGURED "x is required"; return`.
ocf_fail() {
	_code=$1
	shift
	ocf_exit_reason "$*"
	return "$_code"
}

# --- small predicates -------------------------------------------------------

ocf_is_true() {
	case "$1" in
	[Yy][Ee][Ss] | [Yy] | [Tt][Rr][Uu][Ee] | [Oo][Nn] | 1) return 0 ;;
	*) return 1 ;;
	esac
}

ocf_is_integer() {
	case "$1" in
	'' | *[!0-9]*) return 1 ;;
	*) return 0 ;;
	esac
}

# A probe is a one-shot monitor (interval 0): it must report "not running"
# on a node where the software is missing rather than fail.
ocf_is_probe() {
	[ "$__OCF_ACTION" = monitor ] && [ "${OCF_RESKEY_CRM_meta_interval:-0}" = 0 ]
}

# The requested monitor depth; unknown levels fall to the next lower one
# the agent supports, which callers do with -ge comparisons.
ocf_check_level() {
	if ocf_is_integer "${OCF_CHECK_LEVEL:-}"; then echo "$OCF_CHECK_LEVEL"; else echo 0; fi
}

# have_binary NAME: is NAME an executable (path or on PATH)?
# OCF_TESTER_FAIL_HAVE_BINARY is ocf-tester's way of simulating a host
# where nothing is installed; honouring it lets ocf-tester check probes.
have_binary() {
	[ -z "${OCF_TESTER_FAIL_HAVE_BINARY:-}" ] || return 1
	case "$1" in
	/*) [ -x "$1" ] && [ ! -d "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

# check_binary NAME: have_binary, or an exit reason and OCF_ERR_INSTALLED.
check_binary() {
	have_binary "$1" || ocf_fail $OCF_ERR_INSTALLED "required program '$1' is not installed (not found on PATH=$PATH)"
}

# --- directories ------------------------------------------------------------

# Where agents keep per-instance state: HA_RSCTMP (per node under pacer),
# created on first use.
ocf_rsctmp() {
	_dir=${HA_RSCTMP:-/run/resource-agents}
	[ -d "$_dir" ] || mkdir -p "$_dir" 2>/dev/null
	echo "$_dir"
}

# Where pid files go by default: HA_VARRUN (pacer passes it with a slash).
ocf_varrun() {
	_dir=${HA_VARRUN:-/run/}
	_dir=${_dir%/}
	[ -d "$_dir" ] || mkdir -p "$_dir" 2>/dev/null
	echo "$_dir"
}

# The instance name without a clone suffix (":N"), safe in a file name.
ocf_instance_name() {
	_name=${OCF_RESOURCE_INSTANCE:-default}
	_name=${_name%%:*}
	printf '%s' "$_name" | tr -c 'A-Za-z0-9._-' '_'
}

# --- time ---------------------------------------------------------------------

# ocf_seconds DURATION: "30", "30s", "2m", "1h", "1500ms" -> whole seconds
# (rounded up); fails on anything else.
ocf_seconds() {
	case "$1" in
	*ms) _n=${1%ms} _unit=ms ;;
	*s) _n=${1%s} _unit=1 ;;
	*m) _n=${1%m} _unit=60 ;;
	*h) _n=${1%h} _unit=3600 ;;
	*) _n=$1 _unit=1 ;;
	esac
	ocf_is_integer "$_n" || return 1
	if [ "$_unit" = ms ]; then
		echo $(((_n + 999) / 1000))
	else
		echo $((_n * _unit))
	fi
}

# The operation's timeout in seconds (OCF_RESKEY_CRM_meta_timeout is in
# milliseconds), or DEFAULT when the caller gave none.
ocf_op_timeout() {
	if ocf_is_integer "${OCF_RESKEY_CRM_meta_timeout:-}"; then
		echo $(((OCF_RESKEY_CRM_meta_timeout + 999) / 1000))
	else
		echo "$1"
	fi
}

# ocf_wait_for SECONDS COMMAND...: run COMMAND every fifth of a second
# until it succeeds; fails when SECONDS pass first.
ocf_wait_for() {
	_ticks=$(($1 * 5))
	shift
	while :; do
		"$@" && return 0
		[ "$_ticks" -gt 0 ] || return 1
		_ticks=$((_ticks - 1))
		sleep 0.2 2>/dev/null || sleep 1
	done
}

# --- cluster attributes -------------------------------------------------------

# ocf_promotion_score SCORE|-D: this instance's promotion preference on this
# node, through crm_master (pacer's executor puts its shim first on PATH).
# A failure is only logged: a score that cannot be stored means "do not
# promote here", and must not fail a start or monitor.
ocf_promotion_score() {
	if [ "$1" = -D ]; then
		set -- -D
	else
		set -- -v "$1"
	fi
	if ! have_binary crm_master; then
		ocf_log warn "crm_master not found: promotion score not updated"
		return 0
	fi
	crm_master -q -l reboot "$@" >/dev/null 2>&1 ||
		ocf_log warn "crm_master -l reboot $* failed: promotion score not updated"
	return 0
}

# ocf_node_attribute NAME VALUE|-D: a transient node attribute of this node
# (attrd_updater). Failures are logged and returned.
ocf_node_attribute() {
	if ! have_binary attrd_updater; then
		ocf_log warn "attrd_updater not found: node attribute $1 not updated"
		return 1
	fi
	if [ "$2" = -D ]; then
		_out=$(attrd_updater -n "$1" -D 2>&1)
	else
		_out=$(attrd_updater -n "$1" -U "$2" 2>&1)
	fi
	_rc=$?
	[ "$_rc" = 0 ] || ocf_log warn "attrd_updater -n $1 failed ($_rc): $_out"
	return "$_rc"
}

# --- processes --------------------------------------------------------------

# ocf_pid_alive PID: does process PID exist (zombies count as gone)?
ocf_pid_alive() {
	ocf_is_integer "$1" || return 1
	[ "$1" -gt 1 ] || return 1
	kill -0 "$1" 2>/dev/null || return 1
	# A zombie has exited; only its parent has not reaped it yet.
	_state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)
	[ "$_state" != Z ]
}

# ocf_read_pidfile FILE: the pid in FILE, if it holds one.
ocf_read_pidfile() {
	[ -r "$1" ] || return 1
	_pid=$(head -n 1 "$1" 2>/dev/null | tr -d '[:space:]')
	ocf_is_integer "$_pid" || return 1
	echo "$_pid"
}

# --- meta-data ----------------------------------------------------------------
# Meta-data stays inside what both the OCF 1.1 schema and the older
# ra-api-1.dtd accept (ocf-tester checks the DTD): a DOCTYPE, element order
# version/longdesc/shortdesc/parameters/actions, content types
# string|integer|boolean, and only the classic action names.

ocf_xml_escape() {
	printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

# ocf_meta_begin AGENT_VERSION LONGDESC SHORTDESC
ocf_meta_begin() {
	cat <<EOF
<?xml version="1.0"?>
<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
<resource-agent name="$RA_NAME" version="$1">
<version>1.1</version>
<longdesc lang="en">$(ocf_xml_escape "$2")</longdesc>
<shortdesc lang="en">$(ocf_xml_escape "$3")</shortdesc>
<parameters>
EOF
}

# ocf_meta_param NAME TYPE DEFAULT FLAGS SHORTDESC LONGDESC
# FLAGS: any of "required", "unique" (comma separated) or "-".
ocf_meta_param() {
	_required=0 _unique=0
	case ",$4," in *,required,*) _required=1 ;; esac
	case ",$4," in *,unique,*) _unique=1 ;; esac
	_default=
	[ -z "$3" ] || _default=" default=\"$(ocf_xml_escape "$3")\""
	cat <<EOF
<parameter name="$1" required="$_required" unique="$_unique">
<longdesc lang="en">$(ocf_xml_escape "$6")</longdesc>
<shortdesc lang="en">$(ocf_xml_escape "$5")</shortdesc>
<content type="$2"$_default/>
</parameter>
EOF
}

ocf_meta_actions() {
	echo '</parameters>'
	echo '<actions>'
}

# ocf_meta_action NAME TIMEOUT [INTERVAL [DEPTH [ROLE]]]
ocf_meta_action() {
	_attrs="name=\"$1\" timeout=\"$2\""
	[ -z "${3:-}" ] || _attrs="$_attrs interval=\"$3\""
	[ -z "${4:-}" ] || _attrs="$_attrs depth=\"$4\""
	[ -z "${5:-}" ] || _attrs="$_attrs role=\"$5\""
	echo "<action $_attrs/>"
}

ocf_meta_end() {
	echo '</actions>'
	echo '</resource-agent>'
}

# --- dispatch -----------------------------------------------------------------

ocf_usage() {
	echo "usage: $0 {$(echo "$RA_ACTIONS" | tr ' ' '|')}"
	echo "OCF resource agent $OCF_RESOURCE_PROVIDER:$RA_NAME; parameters come in as OCF_RESKEY_<name> (see meta-data)."
}

# Only OCF API major version 1 is understood.
ocf_check_api_version() {
	case "${OCF_RA_VERSION_MAJOR:-1}" in
	1) return 0 ;;
	*) ocf_fail $OCF_ERR_UNIMPLEMENTED "OCF API version $OCF_RA_VERSION_MAJOR is not supported (only 1.x)" ;;
	esac
}

# Which parameter checks an action needs before it runs:
#   config = the parameters themselves (syntax, required, ranges);
#   host   = this node too (programs installed, devices present).
# stop only checks config, so a resource can always be stopped even after
# its software disappeared; a probe treats a host problem as "not running".
ocf_dispatch() {
	__OCF_ACTION=${1:-}
	OCF_RESOURCE_PROVIDER=${OCF_RESOURCE_PROVIDER:-pacer}
	case "$__OCF_ACTION" in
	meta-data) ra_metadata; exit $OCF_SUCCESS ;;
	usage | help | --help | -h) ocf_usage; exit $OCF_SUCCESS ;;
	esac
	case " $RA_ACTIONS " in
	*" $__OCF_ACTION "*) ;;
	*)
		ocf_usage >&2
		ocf_exit_reason "action '$__OCF_ACTION' is not implemented by $RA_NAME"
		exit $OCF_ERR_UNIMPLEMENTED
		;;
	esac
	ocf_check_api_version || exit
	ra_validate config || exit
	case "$__OCF_ACTION" in
	validate-all)
		# Level 0 (explicit) is syntax only; 10 or unset also checks this host.
		if [ -n "${OCF_CHECK_LEVEL:-}" ] && [ "$(ocf_check_level)" -lt 10 ]; then
			exit $OCF_SUCCESS
		fi
		ra_validate host
		exit
		;;
	stop | notify) ;;
	monitor)
		ra_validate host
		_rc=$?
		if [ "$_rc" != 0 ]; then
			if ocf_is_probe; then
				ocf_log info "probe: $RA_NAME cannot run on this node (rc $_rc), so it is not running here"
				exit $OCF_NOT_RUNNING
			fi
			exit "$_rc"
		fi
		;;
	*) ra_validate host || exit ;;
	esac
	"ra_$(echo "$__OCF_ACTION" | tr '-' '_')"
	exit
}
