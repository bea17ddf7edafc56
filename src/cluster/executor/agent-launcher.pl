#!/usr/bin/perl
# pacer's agent launcher: a small long-lived process that forks and execs OCF
# agents on behalf of the node daemon (agent-launcher.ts), so the large Node
# process does not fork itself for every recurring monitor. Perl because
# Debian's perl-base is Essential (always installed) and a Perl process of a
# few MB forks cheaply. It loads no module beyond strict and warnings: every
# page of its memory is copied into the page tables of each fork, and marked
# copy-on-write for the launcher itself, so it is kept small.
#
# Requests on stdin, each a list of NUL-terminated fields ended by an empty
# field:
#   ID EXECUTABLE ACTION STDOUT-FILE STDERR-FILE KEY=VALUE...
#       run an agent with exactly that environment;
#   signal ID SIGNAL-NUMBER
#       signal the process group of run ID, if it is still running.
# Replies on stdout, one line per run: "ID exit CODE OUTBYTES ERRBYTES PID" or
# "ID signal N OUTBYTES ERRBYTES PID" when it ended (the sizes of its stdout and
# stderr files; an empty one is removed here, so the daemon need not touch it),
# or "ID error TEXT" when the agent could not be started at all. One line per
# run, not one more when it starts: each line wakes the daemon.
# Every agent runs in its own process group (so a timeout kills its children
# too), from /, with stdin on /dev/null; never through a shell.
# Exits when stdin closes (the daemon went away); running agents carry on.
use strict;
use warnings;

use constant WNOHANG => 1;    # Linux's value; POSIX.pm would double our memory for it

binmode STDIN;
binmode STDOUT;
# The daemon stops us by closing stdin; a terminal's Ctrl-C is for the daemon.
$SIG{INT} = 'IGNORE';
$SIG{HUP} = 'IGNORE';

my %running;    # pid => [request id, stdout file, stderr file]
my %pid_of;     # request id => pid, while it runs
my %early;      # pid => wait status, for a run that ended before it was registered

sub reply { syswrite(STDOUT, "$_[0]\n") }

sub ended {
    my ($pid, $status) = @_;
    my ($id, @files) = @{ delete $running{$pid} };
    delete $pid_of{$id};
    my @sizes = map { my $size = -s $_ || 0; unlink($_) if $size == 0; $size } @files;
    my $end = ($status & 127) ? "signal " . ($status & 127) : "exit " . ($status >> 8);
    reply("$id $end @sizes $pid");
}

# Perl runs this handler between two operations of the main program, never
# inside one, so a run that ends right after its fork, before the parent has
# registered it, is kept in %early and reported once registered.
$SIG{CHLD} = sub {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        if ($running{$pid}) { ended($pid, $?) }
        else                { $early{$pid} = $? }
    }
};

sub launch {
    my ($id, $path, $action, $out, $err, @env) = @_;
    my $pid = fork();
    if (!defined $pid) {
        reply("$id error fork failed: $!");
    } elsif ($pid == 0) {
        open(my $report, '>&', \*STDOUT);    # close-on-exec: only seen if exec fails
        $SIG{$_} = 'DEFAULT' for qw(INT HUP CHLD);
        setpgrp(0, 0);
        chdir('/');
        open(STDIN, '<', '/dev/null');
        open(STDOUT, '>', $out) or fail($report, $id, "cannot write $out: $!");
        open(STDERR, '>', $err) or fail($report, $id, "cannot write $err: $!");
        %ENV = map { split(/=/, $_, 2) } @env;
        exec { $path } $path, $action or fail($report, $id, "cannot run $path: $!");
    } else {
        $pid_of{$id} = $pid;    # before %running: ended() forgets both
        $running{$pid} = [$id, $out, $err];
        ended($pid, delete $early{$pid}) if exists $early{$pid};
    }
}

sub signal_run {
    my ($id, $signal) = @_;
    my $pid = $pid_of{$id};
    kill($signal, -$pid) if $pid && $signal =~ /^\d+$/;
}

sub fail {
    my ($report, $id, $why) = @_;
    $why =~ s/\n/ /g;
    syswrite($report, "$id error $why\n");
    exit 127;    # in the forked child: nothing of the parent's to flush or run
}

my @fields;
local $/ = "\0";
while (defined(my $field = <STDIN>)) {
    chop $field;
    if ($field ne '') {
        push @fields, $field;
        next;
    }
    if (@fields == 3 && $fields[0] eq 'signal') { signal_run(@fields[1, 2]) }
    elsif (@fields >= 5)                       { launch(@fields) }
    @fields = ();
}
