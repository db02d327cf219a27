package Helpdesk::Mailin;

# Mail that comes in, for the tests: messages written as mail clients write
# them (encoded subjects and names, MIME parts), the corpus of t/mail/ with
# its placeholders filled, and the two ways a message reaches the portal's
# gate: the `helpdesk mailgate` pipe command (as an MTA runs it) and a
# plain HTTP POST. Core Perl only.

use strict;
use warnings;
use utf8;

use Encode qw(encode);
use File::Basename qw(dirname);
use HTTP::Tiny;
use JSON::PP;
use MIME::Base64 qw(encode_base64);

use Helpdesk::Test;

our $CORPUS = dirname(__FILE__) . '/../../mail';

my $n = 0;

# "=?UTF-8?B?...?=" when the text is not ASCII
sub word {
    my ($text) = @_;
    return $text unless $text =~ /[^\x20-\x7e]/;
    return join ' ', map { '=?UTF-8?B?' . encode_base64(encode('UTF-8', $_), '') . '?=' }
           ($text =~ /(.{1,20})/gs);
}

# a message as a mail client writes it: (from => 'Name <a@b>' or 'a@b',
# subject, body, id, in_reply_to, references, headers => [[k, v]...],
# files => [[name, type, bytes]...], html => 1 for an HTML body)
sub message {
    my (%o) = @_;
    $n++;
    my $from = $o{from} // 'someone@example.org';
    if ($from =~ /^(.*?)\s*<([^>]+)>$/) {
        $from = word($1) . " <$2>";
    }
    my $id = $o{id} // "t$n." . time . "\@client.example";
    my @h = ("From: $from", 'To: ' . ($o{to} // 'support@example.com'),
             (defined $o{subject} ? 'Subject: ' . word($o{subject}) : ()),
             "Message-ID: <$id>", 'Date: Tue, 01 Dec 2026 12:00:00 +0300',
             'MIME-Version: 1.0');
    push @h, "In-Reply-To: <$o{in_reply_to}>" if $o{in_reply_to};
    push @h, "References: $o{references}" if $o{references};
    push @h, "$_->[0]: $_->[1]" for @{ $o{headers} // [] };

    my $type = $o{html} ? 'text/html' : 'text/plain';
    my $text = encode_base64(encode('UTF-8', $o{body} // 'Hello'));
    my $body;
    if (!@{ $o{files} // [] }) {
        push @h, "Content-Type: $type; charset=utf-8", 'Content-Transfer-Encoding: base64';
        $body = $text;
    } else {
        my $b = "b$n-boundary";
        push @h, "Content-Type: multipart/mixed; boundary=\"$b\"";
        $body = "--$b\r\nContent-Type: $type; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n$text";
        for my $f (@{ $o{files} }) {
            my ($name, $ftype, $bytes) = @$f;
            $body .= "--$b\r\nContent-Type: $ftype\r\nContent-Transfer-Encoding: base64\r\n"
                   . "Content-Disposition: attachment; filename=\"" . word($name) . "\"\r\n\r\n"
                   . encode_base64($bytes);
        }
        $body .= "--$b--\r\n";
    }
    $body =~ s/(?<!\r)\n/\r\n/g;
    return join("\r\n", @h) . "\r\n\r\n" . $body;
}

# a file of t/mail/ as bytes, {{TICKET}}, {{OURID}}, {{BOUNCED}} filled
sub corpus {
    my ($name, %fill) = @_;
    open my $fh, '<:raw', "$CORPUS/$name" or die "$CORPUS/$name: $!";
    local $/;
    my $raw = <$fh>;
    close $fh;
    for my $k (keys %fill) {
        $raw =~ s/\{\{\Q$k\E\}\}/$fill{$k}/g;
    }
    return $raw;
}

sub new {
    my ($class, %o) = @_;
    my $self = bless { %o }, $class;
    $self->{http} = HTTP::Tiny->new(timeout => 120);
    return $self;
}

# the pipe command, as Postfix's pipe(8) runs it: {rc, out, err}
sub pipe {
    my ($self, $raw, @args) = @_;
    my $dir = $self->{dir};
    $n++;
    my $in = "$dir/in.$n.eml";
    utf8::encode($raw) if utf8::is_utf8($raw);
    Helpdesk::Test::write_file($in, $raw);
    my $cmd = join ' ', map { Helpdesk::Test::quote($_) }
              "$Helpdesk::Test::BUILD/helpdesk", 'mailgate', $self->{url},
              '--key-file', $self->{key_file}, @args;
    my $out = `$cmd <$in 2>$dir/err.$n`;
    my $rc = $? >> 8;
    my $err = Helpdesk::Test::read_file("$dir/err.$n");
    unlink $in, "$dir/err.$n";
    chomp $out;
    my %r = (rc => $rc, out => $out, err => $err);
    # "created, ticket 12" / "rejected: empty_subject"
    if ($out =~ /^(\w+)(?:, ticket (\d+))?(?:: (\w+))?$/) {
        @r{qw(action ticket reason)} = ($1, $2, $3);
    }
    return \%r;
}

# the gate over HTTP: the response, its JSON decoded
sub post {
    my ($self, $raw, %o) = @_;
    utf8::encode($raw) if utf8::is_utf8($raw);
    my %h = ('Content-Type' => $o{type} // 'message/rfc822');
    $h{'X-Helpdesk-Mailgate-Key'} = $o{key} // $self->{key} unless exists $o{key} && !defined $o{key};
    my $res = $self->{http}->request('POST', $o{url} // $self->{url}, { headers => \%h, content => $raw });
    $res->{json} = eval { JSON::PP->new->utf8->decode($res->{content}) }
        if ($res->{headers}{'content-type'} // '') =~ /json/;
    return $res;
}

1;
