#!/usr/bin/perl
# pacer's agent launcher: a small long-lived process that forks and execs OCF
# agents on behalf of the node daemon (agent-launcher.ts), so the large Node
# process does not fork itself for every recurring monitor. Perl because
# Debian's perl-base is Essential (always installed) and a Perl process of a
# few MB forks cheaply.
#
# Requests on stdin, each a list of NUL-terminated fields ended by an empty
# field: id, executable, action, stdout file, stderr file, then KEY=VALUE
# environment entries (the agent's whole environment). Replies on stdout, one
# line each: "ID pid N" once started, then "ID exit CODE OUTBYTES ERRBYTES" or
# "ID signal N OUTBYTES ERRBYTES" (the sizes of its stdout and stderr files; an
# empty one is removed here, so the daemon need not touch it), or
# "ID error TEXT" when the agent could not be started at all.
# Every agent runs in its own process group (so a timeout kills its children
# too), from /, with stdin on /dev/null; never through a shell.
# Exits when stdin closes (the daemon went away); running agents carry on.
use strict;
use warnings;
use POSIX ();

binmode STDIN;
binmode STDOUT;
# The daemon stops us by closing stdin; a terminal's Ctrl-C is for the daemon.
$SIG{INT} = 'IGNORE';
$SIG{HUP} = 'IGNORE';

my %running;    # pid => [request id, stdout file, stderr file]

sub reply { syswrite(STDOUT, "$_[0]\n") }

sub reap {
    while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
        my $status = $?;
        my $run = delete $running{$pid};
        next unless $run;
        my ($id, @files) = @$run;
        my @sizes = map { my $size = -s $_ || 0; unlink($_) if $size == 0; $size } @files;
        my $end = ($status & 127) ? "signal " . ($status & 127) : "exit " . ($status >> 8);
        reply("$id $end @sizes");
    }
}
$SIG{CHLD} = \&reap;

my $chld = POSIX::SigSet->new(POSIX::SIGCHLD());

sub launch {
    my ($id, $path, $action, $out, $err, @env) = @_;
    # Block SIGCHLD until the pid is registered, so a fast agent's exit is not missed.
    POSIX::sigprocmask(POSIX::SIG_BLOCK(), $chld);
    my $pid = fork();
    if (!defined $pid) {
        reply("$id error fork failed: $!");
    } elsif ($pid == 0) {
        open(my $report, '>&', \*STDOUT);    # close-on-exec: only seen if exec fails
        $SIG{$_} = 'DEFAULT' for qw(INT HUP CHLD);
        POSIX::sigprocmask(POSIX::SIG_UNBLOCK(), $chld);
        POSIX::setpgid(0, 0);
        chdir('/');
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', $out) or fail($report, $id, "cannot write $out: $!");
        open(STDERR, '>', $err) or fail($report, $id, "cannot write $err: $!");
        %ENV = map { split(/=/, $_, 2) } @env;
        exec { $path } $path, $action or fail($report, $id, "cannot run $path: $!");
    } else {
        $running{$pid} = [$id, $out, $err];
        reply("$id pid $pid");
    }
    POSIX::sigprocmask(POSIX::SIG_UNBLOCK(), $chld);
}

sub fail {
    my ($report, $id, $why) = @_;
    $why =~ s/\n/ /g;
    syswrite($report, "$id error $why\n");
    POSIX::_exit(127);
}

my @fields;
local $/ = "\0";
while (defined(my $field = <STDIN>)) {
    chop $field;
    if ($field ne '') {
        push @fields, $field;
        next;
    }
    launch(@fields) if @fields >= 5;
    @fields = ();
}
