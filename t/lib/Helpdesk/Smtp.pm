package Helpdesk::Smtp;

# A real SMTP relay for the tests: aiosmtpd (t/lib/smtp-sink.py, on
# Debian's python3) on a free port of loopback. Every message it accepts is
# kept with what Python's email package decodes of it; a test reads those
# the way a mail client would show them. Core Perl only.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use IO::Handle;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Time::HiRes qw(sleep time);

our $PYTHON = $ENV{HELPDESK_PYTHON} // '/usr/bin/python3';
our $SINK   = dirname(__FILE__) . '/../smtp-sink.py';

my @running;

# Helpdesk::Smtp->start(dir => DIR, [port => N], [args => [...]])
sub start {
    my ($class, %o) = @_;
    my $self = ref $class ? $class : bless { %o, args => $o{args} // [] }, $class;
    make_path($self->{dir});

    my @cmd = ($PYTHON, $SINK, '--dir', $self->{dir},
               '--port', $self->{port} // 0, @{ $self->{args} });

    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $r;
        open STDOUT, '>&', $w or die;
        open STDERR, '>>', "$self->{dir}/sink.log" or die;
        exec @cmd or die "exec $PYTHON: $!";
    }
    close $w;

    my $line = <$r>;
    close $r;
    die "the SMTP relay did not start (@cmd): see $self->{dir}/sink.log\n"
        unless defined $line && $line =~ /^READY (\d+)/;

    $self->{port} = $1;
    $self->{pid} = $pid;
    push @running, $self;
    return $self;
}

sub port { $_[0]{port} }
sub dir  { $_[0]{dir} }

# the relay goes away (its port stays the test's for a restart)
sub stop {
    my ($self) = @_;
    return $self unless $self->{pid};
    kill 'TERM', $self->{pid};
    waitpid($self->{pid}, 0);
    delete $self->{pid};
    @running = grep { $_ != $self } @running;
    return $self;
}

# back on the same port, with these arguments (none: a plain relay)
sub restart {
    my ($self, @args) = @_;
    $self->stop;
    $self->{args} = [@args];
    return $self->start;
}

# what arrived, oldest first: the decoded summaries (smtp-sink.py)
sub messages {
    my ($self) = @_;
    opendir(my $d, $self->{dir}) or return ();
    my @files = sort grep { /^\d+\.eml$/ } readdir $d;
    closedir $d;
    my @out;
    # a message's record is read once: polling a relay that holds hundreds
    # of messages every 100 ms must not decode them all again each time
    my $seen = $self->{seen} //= {};
    for my $f (@files) {
        (my $j = $f) =~ s/\.eml$/.json/;
        my @st = stat "$self->{dir}/$j" or next;
        my $key = "$f $st[7] $st[9]";
        if (!$seen->{$key}) {
            open my $fh, '<:raw', "$self->{dir}/$j" or next;
            local $/;
            my $m = JSON::PP->new->utf8->decode(<$fh>);
            close $fh;
            $m->{file} = "$self->{dir}/$f";
            $seen->{$key} = $m;
        }
        push @out, { %{ $seen->{$key} } };
    }
    return @out;
}

# the message as it came over the wire
sub raw {
    my ($self, $m) = @_;
    open my $fh, '<:raw', $m->{file} or return '';
    local $/;
    return scalar <$fh>;
}

# waits until the messages that match (to => ADDRESS, subject => qr//,
# kind => a filter sub) are at least count: those, or what there is
sub wait_for {
    my ($self, %o) = @_;
    my $count = $o{count} // 1;
    my $deadline = time + ($o{timeout} // 15);
    my @m;
    while (1) {
        @m = grep { match($_, %o) } $self->messages;
        last if @m >= $count || time > $deadline;
        sleep 0.1;
    }
    return wantarray ? @m : $m[-1];
}

sub match {
    my ($m, %o) = @_;
    return 0 if $o{to} && !grep { lc $_ eq lc $o{to} } @{ $m->{rcpt_tos} };
    return 0 if $o{subject} && ($m->{subject} // '') !~ $o{subject};
    return 0 if $o{where} && !$o{where}->($m);
    return 1;
}

# a test certificate for STARTTLS: (cert, key) made by openssl req
sub certificate {
    my ($class, $dir) = @_;
    make_path($dir);
    my $out = `openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout $dir/key.pem -out $dir/cert.pem 2>&1`;
    die "openssl req: $out" if $?;
    return ("$dir/cert.pem", "$dir/key.pem");
}

END {
    # a copy: each stop takes itself out of @running
    my @all = @running;
    $_->stop for @all;
}

1;
