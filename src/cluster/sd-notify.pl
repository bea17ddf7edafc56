#!/usr/bin/perl
# pacer's systemd notifier: a small long-lived process that sends each line
# it reads on stdin as one datagram to the socket named by $NOTIFY_SOCKET
# (READY=1, WATCHDOG=1, STOPPING=1, STATUS=...), because Node cannot send
# datagrams on a Unix socket. Long-lived on purpose: systemd looks a sender
# up by its pid, and a sender that has already exited (as a short-lived
# systemd-notify may have) can no longer be matched to the service.
# Exits when stdin closes (the daemon went away).
use strict;
use warnings;
use Socket qw(AF_UNIX SOCK_DGRAM pack_sockaddr_un);

my $path = $ENV{NOTIFY_SOCKET} or die "NOTIFY_SOCKET is not set\n";
$path =~ s/^@/\0/;    # an abstract socket
socket(my $sock, AF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\n";
my $to = pack_sockaddr_un($path);
$SIG{INT} = 'IGNORE';
$SIG{HUP} = 'IGNORE';
while (my $line = <STDIN>) {
    chomp $line;
    next if $line eq '';
    send($sock, $line, 0, $to) or warn "sd-notify: cannot send to $ENV{NOTIFY_SOCKET}: $!\n";
}
