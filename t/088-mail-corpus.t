# No message is lost for its encoding (SPEC §7.2): the corpus of t/mail/world/
# (shapes real mailers send: The Bat!, Pine, Eudora, Outlook, Foxmail, Apple
# Mail, web forms that mislabel, raw 8-bit headers, stray bytes, auto-replies
# without Auto-Submitted, no blank line after the headers, a quoted local
# part) goes through the mail gate as Postfix would pipe it. Each message
# ends as a ticket, a reply, a quarantine entry with its reason, a refusal
# its sender is told of, or an ignored automatic reply: the pipe exits 0
# every time. What is stored is valid UTF-8 and keeps the words each message
# must keep (t/mail/world/expect.json), and the administrators' mail log,
# page and API stay valid UTF-8 afterwards.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Encode qw(decode FB_CROAK);
use JSON::PP;
use Test::More;
use Helpdesk::Test;
use Helpdesk::Smtp;
use Helpdesk::Mailin;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new;
my $dir = $t->dir;
my $relay = Helpdesk::Smtp->start(dir => "$dir/relay");
my $key = 'corpus-gate-key-0123456789abcdef';
Helpdesk::Test::write_file("$dir/gate.key", "$key\n");
chmod 0600, "$dir/gate.key";
$t->{http} = 'helpdesk_smtp 127.0.0.1:' . $relay->port . " from=support\@example.com timeout=5s retry=1s;\n"
           . "    helpdesk_mailgate_key file=$dir/gate.key;\n"
           . '    helpdesk_url http://127.0.0.1:' . $t->port . '/;';
$t->start;

my $gate = Helpdesk::Mailin->new(dir => $dir, url => $t->url('/api/v1/mailgate'),
                                 key => $key, key_file => "$dir/gate.key");
my $admin = $t->staff('boss', 'administrator');

my $world = "$FindBin::Bin/mail/world";
my $expect = JSON::PP->new->utf8->decode(Helpdesk::Test::read_file("$world/expect.json"));

# bytes that are valid UTF-8
sub valid_utf8 {
    my ($bytes) = @_;
    return eval { decode('UTF-8', my $copy = $bytes, FB_CROAK); 1 } ? 1 : 0;
}

sub file_bytes {
    my ($name, %fill) = @_;
    my $raw = Helpdesk::Test::read_file("$world/$name");
    $raw =~ s/\{\{\Q$_\E\}\}/$fill{$_}/g for keys %fill;
    return $raw;
}

# replies go to the first ticket the corpus made (The Bat!'s)
my @order = ('thebat-raw-1251-subject.eml', grep { $_ ne 'thebat-raw-1251-subject.eml' } sort keys %$expect);
my ($first, %seen);

for my $name (@order) {
    my $e = $expect->{$name};
    my $r = $gate->pipe(file_bytes($name, TICKET => $first // 0));
    my $what = "$name ($e->{shape})";

    is($r->{rc}, 0, "$what: the pipe exits 0, the portal answers for it") or diag explain $r;
    is($r->{action}, $e->{action}, "... $e->{action}") or diag explain $r;
    is($r->{reason}, $e->{reason}, "... because $e->{reason}") if $e->{reason};
    $first //= $r->{ticket} if $e->{action} eq 'created';
    $seen{$e->{action}}++;

    next unless $e->{action} eq 'created' || $e->{action} eq 'replied';

    my $res = $admin->api('GET', "staff/tickets/$r->{ticket}");
    is($res->{status}, 200, "... ticket $r->{ticket}");
    ok(valid_utf8($res->{content}), '... whose JSON is valid UTF-8');

    my @said = grep { $_->{kind} ne 'note' && $_->{kind} ne 'event' } @{ $res->{json}{messages} };
    my $text = $e->{action} eq 'created' ? $said[0]{body} : $said[-1]{body};
    my $where = $e->{where} // 'body';
    my $hay = $where eq 'subject' ? $res->{json}{subject}
            : $where eq 'both' ? "$res->{json}{subject}\n$text" : $text;

    for my $word (@{ $e->{words} // [] }) {
        ok(index($hay, $word) >= 0, "... keeps \"$word\"") or diag "got: $hay";
    }
}

ok($seen{$_}, "the corpus has a message that is $_") for qw(created replied quarantined ignored);

# the sender of the first ticket was named in raw Windows-1251
my $res = $admin->api('GET', "staff/tickets/$first");
is($res->{json}{customer}{name}, 'Иван Петров', 'a raw Windows-1251 sender name is read as one');

# a raw Windows-1251 file name
my ($files) = grep { $_->{from} eq 'files@corpus.example' }
              @{ $admin->api('GET', 'admin/mail?per_page=200')->{json}{log} };
$res = $admin->api('GET', "staff/tickets/$files->{ticket}");
my ($pdf) = map { @{ $_->{attachments} } } grep { $_->{kind} eq 'customer' } @{ $res->{json}{messages} };
is($pdf->{name}, 'Договор №5.pdf', 'a raw Windows-1251 file name is read as one');

# the inline text part with a file name is the body, the log still a file
my ($inline) = grep { $_->{from} eq 'inline@corpus.example' }
               @{ $admin->api('GET', 'admin/mail?per_page=200')->{json}{log} };
$res = $admin->api('GET', "staff/tickets/$inline->{ticket}");
is($res->{json}{subject}, 'Журнал ошибок во вложении', 'an inline text part with a name: the subject stays the subject');
my @names = map { $_->{name} } map { @{ $_->{attachments} } } grep { $_->{kind} eq 'customer' } @{ $res->{json}{messages} };
is_deeply(\@names, ['cpro.log'], '... and only the real attachment is a file');

# what administrators read afterwards is valid UTF-8, page and API
$res = $admin->api('GET', 'admin/mail?per_page=200');
is($res->{status}, 200, 'the mail log');
ok(valid_utf8($res->{content}), '... as JSON is valid UTF-8');
is(scalar(grep { $_->{action} } @{ $res->{json}{log} }), scalar @order, '... and lists every message');
my @held = map { $_->{reason} } grep { $_->{from} eq '' } @{ $res->{json}{quarantine} };
is(scalar(grep { $_ eq 'no_sender' } @held), 2, 'messages with no sender are held with their reason');
is(scalar(grep { $_ eq 'message_invalid' } @held), 1, '... and so is what is no message at all');
my $page = $admin->request('GET', 'admin/mail');
is($page->{status}, 200, 'the page /admin/mail');
like($page->{content}, qr/Не работает электронная подпись/, '... shows a raw Windows-1251 subject decoded');
like($page->{content}, qr/Нет адреса отправителя/, '... and why a message is held, in words');

# the sender of a refused message was told why
my ($told) = $relay->wait_for(to => 'nosubject@corpus.example', subject => qr/нет темы/);
ok($told, 'the sender of a message without a subject is told why');

# no auto-reply got an answer: they are out of the office
my @to_ooo = grep { grep { /^away\d\@/ } @{ $_->{rcpt_tos} } } $relay->messages;
is(scalar @to_ooo, 0, 'no out-of-office message got a confirmation back');

$t->stop;
unlike($t->error_log, qr/\[(alert|emerg)\]/, 'no alert in the error log');

done_testing;
