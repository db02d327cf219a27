package Helpdesk::Imap;

# A real IMAP server for the tests: Debian's Dovecot with a throwaway
# configuration in the test's directory, one user, one Maildir, IMAPS on a
# free port of loopback with a certificate made for the test. Messages are
# delivered the way an MDA does (a file in Maildir/new); what the portal
# marked is read back with doveadm. Core Perl only.

use strict;
use warnings;

use File::Path qw(make_path);
use IO::Socket::INET;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

use Helpdesk::Smtp;
use Helpdesk::Test;

our $DOVECOT = $ENV{HELPDESK_DOVECOT} // '/usr/sbin/dovecot';
our $DOVEADM = $ENV{HELPDESK_DOVEADM} // '/usr/bin/doveadm';

my @running;
my $seq = 0;

# Helpdesk::Imap->start(dir => DIR, [user => U], [password => P])
sub start {
    my ($class, %o) = @_;
    # again after stop: the same configuration, port and mailbox
    return $class->launch if ref $class;
    my $self = bless { user => 'support', password => 'imap pass 1', %o }, $class;
    my $dir = $self->{dir};
    make_path("$dir/run", "$dir/state", "$dir/home");
    chmod 0755, $dir, "$dir/home";

    ($self->{cert}, $self->{key}) = Helpdesk::Smtp->certificate("$dir/tls");
    $self->{port} = Helpdesk::Test::free_port();

    # as root, the mail processes run as nobody (Dovecot will not use 0);
    # as anybody else, everything runs as that user
    my ($uid, $gid, $users);
    if ($> == 0) {
        ($uid, $gid) = ((getpwnam 'nobody')[2], (getgrnam 'nogroup')[2]);
        $users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n";
    } else {
        my $me = getpwuid $>;
        ($uid, $gid) = ($>, $) + 0);
        $users = "default_internal_user = $me\ndefault_login_user = $me\n"
               . "service anvil {\n  chroot =\n}\nservice imap-login {\n  chroot =\n}\n";
    }
    $self->{uid} = $uid;
    $self->{gid} = $gid;

    my $home = "$dir/home/$self->{user}";
    make_path(map { "$home/Maildir/$_" } qw(cur new tmp));
    chown $uid, $gid, $home, "$home/Maildir", map { "$home/Maildir/$_" } qw(cur new tmp);

    Helpdesk::Test::write_file("$dir/users", "$self->{user}:{PLAIN}$self->{password}\n");
    chmod 0644, "$dir/users", $self->{key};

    Helpdesk::Test::write_file("$dir/dovecot.conf", <<"EOF");
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$self->{cert}
ssl_key = <$self->{key}
auth_mechanisms = plain
first_valid_uid = $uid
first_valid_gid = $gid
mail_location = maildir:~/Maildir
$users
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $self->{port}
    ssl = yes
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF

    return $self->launch;
}

sub launch {
    my ($self) = @_;
    my $dir = $self->{dir};
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        # its own process group: stop takes the imap processes with it
        setpgrp(0, 0);
        open STDOUT, '>>', "$dir/dovecot.out" or die;
        open STDERR, '>&', \*STDOUT or die;
        exec $DOVECOT, '-F', '-c', "$dir/dovecot.conf" or die "exec $DOVECOT: $!";
    }
    $self->{pid} = $pid;
    push @running, $self;

    my $deadline = time + 15;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $self->{port},
                                      Proto => 'tcp', Timeout => 1);
        if ($s) { close $s; return $self }
        die "Dovecot did not start:\n" . Helpdesk::Test::read_file("$dir/dovecot.out")
            . Helpdesk::Test::read_file("$dir/dovecot.log")
            if waitpid($pid, WNOHANG) == $pid;
        sleep 0.05;
    }
    die "Dovecot did not listen on $self->{port}: see $dir/dovecot.log\n";
}

sub port     { $_[0]{port} }
sub cert     { $_[0]{cert} }
sub user     { $_[0]{user} }
sub password { $_[0]{password} }
sub url      { my ($self, $box) = @_; "imaps://127.0.0.1:$self->{port}/" . ($box // 'INBOX') }

# a message into the mailbox as an MDA puts it there: Maildir/new
sub deliver {
    my ($self, $raw) = @_;
    my $maildir = "$self->{dir}/home/$self->{user}/Maildir";
    # names in delivery order: Dovecot numbers new mail in their order
    my $name = sprintf '%d.M%08dP%d.helpdesk-test', time, $seq, $$;
    $seq++;
    utf8::encode($raw) if utf8::is_utf8($raw);
    open my $fh, '>:raw', "$maildir/tmp/$name" or die "deliver: $!";
    print $fh $raw;
    close $fh;
    chown $self->{uid}, $self->{gid}, "$maildir/tmp/$name";
    rename "$maildir/tmp/$name", "$maildir/new/$name" or die "deliver: $!";
    return $name;
}

# doveadm on the mailbox: its output lines
sub doveadm {
    my ($self, @args) = @_;
    my $cmd = join ' ', map { Helpdesk::Test::quote($_) }
              $DOVEADM, '-c', "$self->{dir}/dovecot.conf", @args;
    my @out = `$cmd 2>&1`;
    die "doveadm @args: @out" if $?;
    chomp @out;
    return @out;
}

# how many messages match an IMAP search (e.g. 'all', 'keyword', '$HelpdeskDone')
sub count {
    my ($self, @query) = @_;
    my @lines = $self->doveadm('search', '-u', $self->{user}, 'mailbox', 'INBOX', @query);
    return scalar grep { /\S/ } @lines;
}

sub stop {
    my ($self) = @_;
    return unless $self->{pid};
    kill 'TERM', -$self->{pid};
    my $deadline = time + 10;
    while (time < $deadline) {
        last if waitpid($self->{pid}, WNOHANG) == $self->{pid};
        sleep 0.05;
    }
    kill 'KILL', -$self->{pid};
    delete $self->{pid};
}

END {
    # a copy: each stop takes itself out of @running
    my @all = @running;
    $_->stop for @all;
}

1;
