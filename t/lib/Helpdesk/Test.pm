package Helpdesk::Test;

# The integration harness: a real nginx with the built module, on a free port,
# with a fresh data directory, 2 workers unless told otherwise; clients that
# keep cookies; the CLI on the same data. Core Perl only.

use strict;
use warnings;
use utf8;

use Cwd qw(abs_path);
use File::Basename qw(basename dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(sleep time);

use Helpdesk::Client;

our $ROOT  = $ENV{HELPDESK_ROOT}  // abs_path(dirname(__FILE__) . '/../../..');
our $BUILD = $ENV{HELPDESK_BUILD} // "$ROOT/build";
our $NGINX = $ENV{NGINX_BIN}      // '/usr/sbin/nginx';

my @running;

# ASan's and UBSan's reports (./build.sh asan) go to files of one directory
# for the whole test file, which the workers (www-data) can write: finish
# fails on any, and so does the file's end
our $SANITIZER_DIR = tempdir('hd-sanitizer-XXXXXX', TMPDIR => 1,
                             CLEANUP => !$ENV{HELPDESK_KEEP});
chmod 01777, $SANITIZER_DIR;
for my $var (qw(ASAN_OPTIONS UBSAN_OPTIONS)) {
    $ENV{$var} = join ':', grep { length } $ENV{$var} // '',
                 "log_path=$SANITIZER_DIR/report";
}

sub sanitizer_reports {
    my @reports;
    for my $file (sort glob("$SANITIZER_DIR/report*")) {
        my $text = read_file($file);
        push @reports, "$file:\n" . substr($text, 0, 6000) if length $text;
    }
    return @reports;
}

END {
    if (my @reports = sanitizer_reports()) {
        diag("a sanitizer reported:\n" . join "\n", @reports);
        $? = 1 if !$?;
    }
}

sub new {
    my ($class, %o) = @_;

    my $dir = tempdir('hd-test-XXXXXX', TMPDIR => 1,
                      CLEANUP => !$ENV{HELPDESK_KEEP});

    # the workers run as www-data when the tests run as root: they must
    # reach the directory
    chmod 0755, $dir;
    make_path("$dir/tmp", "$dir/logs", { mode => 0755 });
    # a worker that crashes leaves its core here (working_directory): finish
    # says where it fell and keeps it
    make_path("$dir/cores", { mode => 0755 });
    if (my $user = worker_user()) {
        my (undef, undef, $uid, $gid) = getpwnam($user);
        chown $uid, $gid, "$dir/cores" if defined $uid;
    }

    my $self = bless {
        dir       => $dir,
        data      => "$dir/data",
        files     => $o{files} // "$dir/data/files",
        files_uri => $o{files_uri} // '/_helpdesk_files/',
        port      => free_port(),
        workers   => $o{workers} // 2,
        map       => $o{map} // '64m',
        mount     => $o{mount} // '/',
        templates => $o{templates} // "$ROOT/lua-free-templates",
        http      => $o{http} // '',
        server    => $o{server} // '',
        location  => $o{location} // '',
        main      => $o{main} // '',
        log_level => $o{log_level} // 'notice',
        faults    => $o{faults},
    }, $class;

    return $self;
}

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp', ReuseAddr => 1)
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub dir  { $_[0]{dir} }
sub data { $_[0]{data} }
sub port { $_[0]{port} }
sub url  { my ($self, $path) = @_; "http://127.0.0.1:$self->{port}" . ($path // '/') }

sub worker_user { $> == 0 ? 'www-data' : undef }

# the configuration; %o overrides the constructor's parts for one file
sub conf {
    my ($self, %o) = @_;
    my %c = (%$self, %o);
    my $dir = $self->{dir};
    my $user = worker_user() ? "user " . worker_user() . ";" : '';
    my $db = exists $o{db} ? $o{db} : "helpdesk_db $c{data} map=$c{map};";
    my $templates = exists $o{templates_line} ? $o{templates_line}
                  : "helpdesk_templates $c{templates};";

    return <<"EOF";
load_module $BUILD/ngx_http_helpdesk_module.so;
$user
worker_processes $c{workers};
pid $dir/nginx.pid;
error_log $dir/logs/error.log $c{log_level};
working_directory $dir/cores;
worker_rlimit_core 4g;
$c{main}

events {
    worker_connections 512;
}

http {
    log_format helpdesk '\$remote_addr \$pid "\$request" \$status "\$http_referer" "\$http_user_agent"';
    access_log $dir/logs/access.log helpdesk;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;

    $db
    $templates
    $c{http}

    server {
        listen 127.0.0.1:$c{port};

        location = /return200 {
            return 200 "ok";
        }

        $c{server}

        # attachments: the module checks access, then nginx sends the file
        location $c{files_uri} {
            internal;
            alias $c{files}/;
        }

        location $c{mount} {
            helpdesk;
            $c{location}
        }
    }
}
EOF
}

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    binmode $fh, ':utf8' if utf8::is_utf8($text);
    print $fh $text;
    close $fh;
}

sub read_file {
    my ($path) = @_;
    open my $fh, '<', $path or return '';
    local $/;
    my $text = <$fh>;
    return $text;
}

# nginx -t on a configuration: (exit code, what nginx printed)
sub nginx_t {
    my ($self, %o) = @_;
    my $conf = "$self->{dir}/test-" . int(rand(1e9)) . ".conf";
    write_file($conf, $self->conf(%o));
    my $out = `$NGINX -t -p $self->{dir} -c $conf 2>&1`;
    return ($? >> 8, $out);
}

sub start {
    my ($self) = @_;
    write_file("$self->{dir}/nginx.conf", $self->conf);

    # faults on demand (t/lib/fault.c): the master loads the library, the
    # workers inherit it; ASan must then let it come first
    local $ENV{LD_PRELOAD} = "$BUILD/libhdfault.so" if $self->{faults};
    local $ENV{HELPDESK_FAULTS} = $self->{faults} if $self->{faults};
    local $ENV{ASAN_OPTIONS} = "$ENV{ASAN_OPTIONS}:verify_asan_link_order=0"
        if $self->{faults};

    my $out = `$NGINX -p $self->{dir} -c $self->{dir}/nginx.conf 2>&1`;
    die "nginx did not start:\n$out" if $?;

    push @running, $self unless grep { $_ == $self } @running;

    my $deadline = time + 10;
    while (time < $deadline) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $self->{port});
        if ($s) {
            close $s;
            # the workers open the store after fork: wait for both
            $self->wait_workers($self->{workers});
            return $self;
        }
        sleep 0.05;
    }
    die "nginx is not listening on $self->{port}:\n" . $self->error_log;
}

sub master_pid {
    my ($self) = @_;
    my $pid = read_file("$self->{dir}/nginx.pid");
    chomp $pid;
    return $pid;
}

sub worker_pids {
    my ($self) = @_;
    my $master = $self->master_pid or return ();
    my @pids = grep { /\d/ } split /\s+/, `ps -o pid= --ppid $master 2>/dev/null`;
    return grep { (`ps -o args= -p $_` // '') =~ /worker process/ } @pids;
}

sub wait_workers {
    my ($self, $n, $not) = @_;
    my %old = map { $_ => 1 } @{ $not // [] };
    my $deadline = time + 10;
    while (time < $deadline) {
        my @w = grep { !$old{$_} } $self->worker_pids;
        return @w if @w >= $n;
        sleep 0.05;
    }
    die "workers did not start";
}

sub reload {
    my ($self) = @_;
    my @old = $self->worker_pids;
    write_file("$self->{dir}/nginx.conf", $self->conf);
    kill 'HUP', $self->master_pid;
    $self->wait_workers($self->{workers}, \@old);

    # the old workers finish their requests and leave
    my $deadline = time + 10;
    while (time < $deadline && grep { kill 0, $_ } @old) {
        sleep 0.05;
    }
    return $self;
}

sub stop {
    my ($self, $signal) = @_;
    my $pid = $self->master_pid or return;
    kill $signal // 'QUIT', $pid;
    my $deadline = time + 15;
    while (time < $deadline && kill 0, $pid) {
        sleep 0.05;
    }
    kill 'KILL', $pid if kill 0, $pid;
    unlink "$self->{dir}/nginx.pid";
    @running = grep { $_ != $self } @running;
    return $self;
}

# kill -9 of every nginx process of this instance
sub crash {
    my ($self) = @_;
    my $master = $self->master_pid;
    my @all = ($master, $self->worker_pids);
    kill 'KILL', @all;
    for (1 .. 200) {
        last unless grep { kill 0, $_ } @all;
        sleep 0.05;
    }
    # the workers were the master's children: reaped by init, not us
    unlink "$self->{dir}/nginx.pid";
    @running = grep { $_ != $self } @running;
}

sub error_log { read_file("$_[0]{dir}/logs/error.log") }
sub access_log { read_file("$_[0]{dir}/logs/access.log") }

# n requests at once, each in a process of its own: what each answered
# (the code gets its number, 1 to n, and returns a line of text)
sub at_once {
    my ($self, $n, $code) = @_;
    my @kids;
    for my $i (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            write_file($self->dir . "/at_once.$i", $code->($i));
            POSIX::_exit(0);
        }
        push @kids, $pid;
    }
    waitpid($_, 0) for @kids;
    return map { read_file($self->dir . "/at_once.$_") } 1 .. $n;
}

# stops nginx and checks that nothing alarming was logged but what the test
# caused on purpose (allow => qr/.../)
sub finish {
    my ($self, %o) = @_;
    $self->stop;
    my @bad = grep { /\[(alert|emerg|crit)\]/ && !($o{allow} && $_ =~ $o{allow}) }
              split /\n/, $self->error_log;
    ok(!@bad, 'no [alert], [crit] or [emerg] in the error log')
        or diag(join "\n", @bad);
    my @reports = (sanitizer_reports(),
                   grep { /runtime error:|AddressSanitizer|LeakSanitizer/ }
                   split /\n/, $self->error_log);
    ok(!@reports, 'no sanitizer report')
        or diag(join "\n", @reports);
    $self->cores;
}

# a crashed worker's core: where each thread was (gdb), and the core kept
# with the module it ran (HELPDESK_CORES, else /tmp/helpdesk-cores)
sub cores {
    my ($self) = @_;
    my @cores = glob("$self->{dir}/cores/core*") or return;
    my $keep = $ENV{HELPDESK_CORES} // '/tmp/helpdesk-cores';
    make_path($keep);
    for my $core (@cores) {
        my $to = "$keep/" . basename($self->{dir}) . '-' . basename($core);
        system('cp', $core, $to);
        system('cp', "$BUILD/ngx_http_helpdesk_module.so", "$to.so");
        # the thread that fell first, then a line for each of the others
        my $bt = `gdb -batch -nx -ex 'set pagination off' -ex 'bt 30' -ex 'info threads' $NGINX $core 2>&1`;
        $bt =~ s/^(warning: |\[New LWP|\[Thread debugging|Using host).*\n//mg;
        diag("a worker left a core (kept as $to, its module as $to.so):\n" . substr($bt, 0, 8000));
    }
}

# the CLI on this instance's data: (exit code, output)
sub cli {
    my ($self, @args) = @_;
    my %o = ref $args[-1] eq 'HASH' ? %{ pop @args } : ();
    # arguments go out as UTF-8 bytes, the output comes back as text
    @args = map { my $a = $_; utf8::encode($a) if utf8::is_utf8($a); $a } @args;
    my $cmd = join ' ', map { quote($_) } "$BUILD/helpdesk", '-d', $self->{data}, @args;
    # the operator's language: English unless the test says (lang => 'ru_RU.UTF-8')
    local $ENV{LANG} = $o{lang} // 'C.UTF-8';
    local $ENV{LC_ALL} = $o{lang} // 'C.UTF-8';
    local $ENV{LC_MESSAGES};
    delete $ENV{LC_MESSAGES};
    my $out;
    if (defined $o{stdin}) {
        my $in = "$self->{dir}/stdin." . int(rand(1e9));
        my $text = $o{stdin};
        utf8::encode($text) if utf8::is_utf8($text);
        write_file($in, $text);
        $out = `$cmd <$in 2>&1`;
        unlink $in;
    } else {
        $out = `$cmd </dev/null 2>&1`;
    }
    my $rc = $? >> 8;
    utf8::decode($out);
    return ($rc, $out);
}

# the CLI on another data directory (a backup)
sub cli_on {
    my ($self, $data, @args) = @_;
    local $self->{data} = $data;
    return $self->cli(@args);
}

sub quote {
    my ($s) = @_;
    return $s if $s =~ m{^[\w/.,:=@%+-]+$};
    $s =~ s/'/'\\''/g;
    return "'$s'";
}

# a customer registered and logged in through the API: a client with its
# session cookie and CSRF token
# each from its own client address (127.0.2.1, 127.0.2.2...): the portal
# lets one address register 30 people an hour, a test makes more
my $user_seq = 0;
sub user_address {
    my $n = $user_seq++;
    return sprintf '127.%d.%d.%d', 2 + int($n / 62500), int($n / 250) % 250, 1 + $n % 250;
}

sub user {
    my ($self, $login, %o) = @_;
    my $ua = $self->client(local_address => user_address(), %{ $o{client} // {} });
    my %fields = (
        email => $o{email} // "$login\@example.com",
        login => $login,
        password => $o{password} // "$login-password-1",
        name => $o{name} // "User $login",
    );
    my $res = $ua->api('POST', 'accounts', \%fields);
    die "cannot register $login: $res->{status} $res->{content}" unless $res->{status} == 202;
    # the registration is made by the link mailed to the address
    $res = $ua->api('POST', 'email/confirm', { token => $self->register_token($fields{email}) });
    die "cannot finish registering $login: $res->{status} $res->{content}" unless $res->{status} == 201;
    $ua->{id} = $res->{json}{id};
    $ua->login($login, $fields{password});
    return $ua;
}

# the token of the newest registration link mailed to an address
sub register_token {
    my ($self, $email) = @_;
    my $mail = $self->last_mail('account_confirm', $email)
        or die "no registration link was mailed to $email";
    my ($token) = $mail->{body} =~ /email\/confirm\?token=([\w-]+)/
        or die "no link in the registration mail to $email";
    return $token;
}

# a product and a certificate type through the CLI: the type's id
sub catalog {
    my ($self, %o) = @_;
    my $product = $o{product} // 'КриптоПро CSP';
    my ($rc, $out) = $self->cli('products', 'list');
    if ($out !~ /^\d+\t\Q$product\E\t/m) {
        ($rc, $out) = $self->cli('products', 'add', $product, '--versions', '4.0,5.0');
        die "products add: $out" if $rc;
    }
    my $name = $o{name} // 'Сертификат на ТП (1 год)';
    ($rc, $out) = $self->cli('cert-types', 'add', '--name', $name, '--product', $product,
                             '--term', $o{term} // 12, '--limit', $o{limit} // 2,
                             '--level', $o{level} // 'standard', '--premium', $o{premium} // 0,
                             '--kind', $o{kind} // 'certificate',
                             '--department', $o{department} // 1);
    die "cert-types add: $out" if $rc;
    my ($id) = $out =~ /certificate type (\d+)/;
    return $id;
}

# certificates issued through the CLI: ([number, code], ...)
sub issue {
    my ($self, $type, @opts) = @_;
    my ($rc, $out) = $self->cli('certs', 'issue', '--type', $type, @opts);
    die "certs issue: $out" if $rc;
    return map { my @f = split /\t/; [ $f[0], $f[1] eq '(no code)' ? undef : $f[1] ] }
           grep { /\S/ } split /\n/, $out;
}

# a certificate of the type, issued and registered to the user: its number
sub certificate {
    my ($self, $ua, $type, %o) = @_;
    my ($cert) = $self->issue($type, @{ $o{issue} // [] });
    my $res = $ua->api('POST', 'certificates', { number => $cert->[0],
                                                 (defined $cert->[1] ? (code => $cert->[1]) : ()),
                                                 (defined $o{holder} ? (holder => $o{holder}) : ()) });
    die "cannot register $cert->[0]: $res->{status} $res->{content}"
        unless $res->{status} == 201;
    return $cert->[0];
}

# an invitation to the inviter's company and its acceptance by a new
# customer: the customer's client ({join} holds the answer to joining), or
# the answer to the invitation when it was refused
sub invite {
    my ($self, $inviter, $login, %o) = @_;
    my $res = $inviter->api('POST', 'company/invitations', { email => "$login\@example.com" });
    return $res if $res->{status} != 202;
    my $mail = $self->last_mail('company_invitation', "$login\@example.com");
    my ($token) = $mail->{body} =~ /company\/join\?token=([\w-]{43})/;
    my $ua = $self->user($login, %o);
    $ua->{join} = $ua->api('POST', 'company/join', { token => $token });
    return $ua;
}

# a ticket created through the API: its number (fields override the defaults)
sub ticket {
    my ($self, $ua, %fields) = @_;
    my $res = $ua->api('POST', 'tickets', { subject => 'A problem', description => 'What happens',
                                            category => 'technical', type => 'bug', severity => 3,
                                            %fields });
    die "cannot create a ticket: $res->{status} $res->{content}" unless $res->{status} == 201;
    return $res->{json}{number};
}

# a staff message on a ticket through the API: (status, json)
sub staff_says {
    my ($self, $staff, $number, $kind, $body) = @_;
    my $res = $staff->api('POST', "staff/tickets/$number/messages",
                          { kind => $kind, body => $body // "Staff $kind" });
    die "staff $kind on $number: $res->{status} $res->{content}" unless $res->{status} == 201;
    return $res->{json};
}

# an administrator (or another staff role) logged in through the API; staff
# work in every department unless told (departments => '2' or 'Name,3')
sub staff {
    my ($self, $login, $role, %o) = @_;
    my ($rc, $out) = $self->cli('staff', 'add', '--login', $login, '--email', "$login\@support.example",
                                '--name', $o{name} // "Staff $login", '--role', $role // 'administrator',
                                '--departments', $o{departments} // 'all',
                                { stdin => "$login-password-1\n" });
    die "staff add: $out" if $rc;
    my $ua = $self->client;
    ($ua->{id}) = $out =~ /staff account (\d+)/;
    $ua->login($login, "$login-password-1");
    return $ua;
}

# the outbox as the CLI lists it, oldest first: [{id, state, kind, to, subject}]
sub outbox {
    my ($self) = @_;
    my ($rc, $out) = $self->cli('outbox', 'list', '--all');
    die "outbox list: $out" if $rc;
    my @mail;
    for (reverse split /\n/, $out) {
        my ($id, $state, $date, $kind, $to, $subject) = split /\t/;
        push @mail, { id => $id, state => $state, kind => $kind, to => $to,
                      subject => $subject };
    }
    return @mail;
}

# one mail in full: {headers..., body}
sub mail {
    my ($self, $id) = @_;
    my ($rc, $out) = $self->cli('outbox', 'show', $id);
    die "outbox show: $out" if $rc;
    my ($head, $body) = split /\n\n/, $out, 2;
    my %m = (body => $body);
    for (split /\n/, $head) {
        my ($k, $v) = split /: /, $_, 2;
        $m{lc $k} = $v;
    }
    utf8::decode($m{$_}) for keys %m;
    return \%m;
}

# the newest mail of a kind to an address
sub last_mail {
    my ($self, $kind, $to) = @_;
    my ($m) = grep { $_->{kind} eq $kind && lc $_->{to} eq lc $to } reverse $self->outbox;
    return $m ? $self->mail($m->{id}) : undef;
}

sub client {
    my ($self, %o) = @_;
    return Helpdesk::Client->new(base => $self->url(''), mount => $self->{mount}, %o);
}

END {
    # a copy: each stop takes itself out of @running
    my @all = @running;
    $_->stop for @all;
}

1;
