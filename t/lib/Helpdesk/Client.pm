package Helpdesk::Client;

# A client of the portal as a user has one: it keeps its cookies, follows
# nothing by itself (tests look at redirects), speaks forms and JSON, and
# remembers the CSRF token the API gave it.

use strict;
use warnings;

use HTTP::Tiny;
use JSON::PP;

use Helpdesk::Golden;

my $json = JSON::PP->new->utf8->canonical;

sub new {
    my ($class, %o) = @_;
    return bless {
        base    => $o{base},
        mount   => $o{mount} // '/',
        cookies => {},
        csrf    => undef,
        lang    => $o{lang},
        # local_address: another client address (127.0.0.2...: the portal
        # counts some requests per client address)
        http    => HTTP::Tiny->new(max_redirect => 0, timeout => $o{timeout} // 60,
                                   agent => 'helpdesk-tests',
                                   ($o{local_address} ? (local_address => $o{local_address}) : ())),
    }, $class;
}

sub cookies { $_[0]{cookies} }
sub csrf { my $self = shift; $self->{csrf} = shift if @_; $self->{csrf} }

# a path under the mount: "api/v1/me" is "/api/v1/me" at mount "/"
sub path {
    my ($self, $path) = @_;
    return $path if $path =~ m{^/};
    return $self->{mount} . $path;
}

sub request {
    my ($self, $method, $path, %o) = @_;
    my %headers = %{ $o{headers} // {} };

    if (%{ $self->{cookies} } && !$o{no_cookies}) {
        $headers{Cookie} = join '; ',
            map { "$_=$self->{cookies}{$_}" } sort keys %{ $self->{cookies} };
    }
    $headers{'Accept-Language'} //= $self->{lang} if $self->{lang};

    my $res = $self->{http}->request($method, $self->{base} . $self->path($path),
                                     { headers => \%headers,
                                       (defined $o{content} ? (content => $o{content}) : ()) });

    for my $sc (ref $res->{headers}{'set-cookie'} ? @{ $res->{headers}{'set-cookie'} }
                : grep { defined } $res->{headers}{'set-cookie'}) {
        my ($pair) = split /;/, $sc;
        my ($name, $value) = split /=/, $pair, 2;
        if ($sc =~ /Max-Age=0\b/i || $value eq '') {
            delete $self->{cookies}{$name};
        } else {
            $self->{cookies}{$name} = $value;
        }
    }

    my $type = $res->{headers}{'content-type'} // '';
    if ($type =~ m{^application/json} && length $res->{content}) {
        $res->{json} = eval { $json->decode($res->{content}) };
    }
    # pages as text (characters), as a person reads them
    utf8::decode($res->{content}) if $type =~ m{^text/} && defined $res->{content};

    Helpdesk::Golden::record($method, $self->path($path), $res);
    return $res;
}

sub get  { my ($self, $path, %o) = @_; $self->request('GET', $path, %o) }
sub head { my ($self, $path, %o) = @_; $self->request('HEAD', $path, %o) }

# a form as a browser sends it
sub post_form {
    my ($self, $path, $fields, %o) = @_;
    my $body = $self->{http}->www_form_urlencode($fields);
    return $self->request('POST', $path, %o, content => $body,
        headers => { 'Content-Type' => 'application/x-www-form-urlencoded',
                     %{ $o{headers} // {} } });
}

# a multipart/form-data body as a browser makes it: fields (a hash, or an
# array of pairs to keep their order) and files [field, name, bytes, type]
sub multipart {
    my ($self, $fields, $files) = @_;
    my $boundary = '----helpdesk' . join '', map { int rand 10 } 1 .. 20;
    my @pairs = ref $fields eq 'HASH' ? map { ($_, $fields->{$_}) } sort keys %$fields
              : @{ $fields // [] };
    my $body = '';
    while (my ($k, $v) = splice @pairs, 0, 2) {
        utf8::encode($v) if utf8::is_utf8($v);
        $body .= "--$boundary\r\nContent-Disposition: form-data; name=\"$k\"\r\n\r\n$v\r\n";
    }
    for my $f (@{ $files // [] }) {
        my ($name, $filename, $content, $type) = @$f;
        utf8::encode($filename) if utf8::is_utf8($filename);
        utf8::encode($content) if utf8::is_utf8($content);
        $body .= "--$boundary\r\nContent-Disposition: form-data; name=\"$name\"; "
               . "filename=\"$filename\"\r\nContent-Type: " . ($type // 'application/octet-stream')
               . "\r\n\r\n$content\r\n";
    }
    $body .= "--$boundary--\r\n";
    return ("multipart/form-data; boundary=$boundary", $body);
}

# a form with files; with api => 1 the API's CSRF header goes along
sub post_multipart {
    my ($self, $path, $fields, $files, %o) = @_;
    my ($type, $body) = $self->multipart($fields, $files);
    my %headers = ('Content-Type' => $type, %{ $o{headers} // {} });
    $headers{'X-CSRF-Token'} //= $self->{csrf} if $o{api} && $self->{csrf};
    $path = "api/v1/$path" if $o{api} && $path !~ m{^/};
    return $self->request('POST', $path, %o, content => $body, headers => \%headers);
}

# JSON to the API, with the CSRF token when there is one
sub api {
    my ($self, $method, $path, $data, %o) = @_;
    my %headers = %{ $o{headers} // {} };
    $headers{'X-CSRF-Token'} //= $self->{csrf} if $self->{csrf} && $method ne 'GET';
    my %req = (headers => \%headers);
    if (defined $data) {
        $headers{'Content-Type'} //= 'application/json';
        $req{content} = ref $data ? $json->encode($data) : $data;
    }
    return $self->request($method, $path =~ m{^/} ? $path : "api/v1/$path", %o, %req);
}

# logs in through the API: keeps the session cookie and the CSRF token
sub login {
    my ($self, $who, $password) = @_;
    my $res = $self->api('POST', 'session', { login => $who, password => $password });
    die "cannot log in $who: $res->{status} $res->{content}" unless $res->{status} == 200;
    $self->{csrf} = $res->{json}{csrf_token};
    return $res;
}

# the hidden CSRF field of a page's forms
sub form_csrf {
    my ($self, $path) = @_;
    my $res = $self->get($path);
    my ($csrf) = $res->{content} =~ /name="csrf" value="([^"]+)"/;
    return $csrf;
}

sub json { $json }

1;
