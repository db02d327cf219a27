# An APNs certificate request (Kaspersky block 7, issue 16): category
# apns_certificate takes exactly one file, a PKCS#10 certificate signing
# request in PEM or DER, parsed by OpenSSL (its own signature checked);
# staff see its subject, key type and size, and answer with the signed
# certificate attached: the ticket keeps both. The threat analysis portal
# (helpdesk_threat_portal) is a link on the form, not a ticket. Anything else is refused
# with a message naming the field, and nothing is created.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use File::Temp qw(tempdir);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $tmp = tempdir(CLEANUP => 1);
sub openssl { system('openssl', @_, '-out', "$tmp/out") == 0 or die "openssl @_ failed"; }
sub slurp { open my $f, '<:raw', $_[0] or die "$_[0]: $!"; local $/; <$f> }

# a real CSR, as a customer makes it, in PEM and in DER; an EC one
system("openssl req -new -newkey rsa:2048 -nodes -keyout $tmp/push.key -subj '/CN=com.example.push/O=Example Ltd/C=RU' -out $tmp/push.csr 2>/dev/null") == 0
    or die 'openssl req failed';
system("openssl req -in $tmp/push.csr -outform DER -out $tmp/push.der") == 0 or die 'openssl req -outform failed';
system("openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $tmp/ec.key -subj '/CN=com.example.ec' -out $tmp/ec.csr 2>/dev/null") == 0
    or die 'openssl ec req failed';
my ($pem, $der, $ec) = map { slurp("$tmp/$_") } qw(push.csr push.der ec.csr);

my $t = Helpdesk::Test->new(http => 'helpdesk_threat_portal https://virusdesk.example.com/;')->start;
my $ua = $t->user('anna');
my $agent = $t->staff('agent', 'administrator');

my %apns = (subject => 'Сертификат APNs для приложения', description => 'Прошу подписать запрос.',
            category => 'apns_certificate', type => 'consultation', severity => 3);

sub create { my ($files) = @_; $ua->post_multipart('tickets', \%apns, $files, api => 1) }
sub count { scalar @{ $ua->api('GET', 'tickets')->{json}{tickets} } }

# --- refused: nothing made ---------------------------------------------

my $res = create([]);
is($res->{status}, 422, 'an APNs request without a file: 422');
is($res->{json}{error}{field}, 'attachments', '... naming the field');
is($res->{json}{error}{code}, 'apns_one_csr', '... one CSR it needs');

$res = create([ [ 'attachments', 'a.csr', $pem, 'application/pkcs10' ], [ 'attachments', 'b.csr', $pem, 'application/pkcs10' ] ]);
is($res->{json}{error}{code}, 'apns_one_csr', 'two files: refused');

$res = create([ [ 'attachments', 'notes.csr', "просто текст, переименованный в .csr\n", 'application/octet-stream' ] ]);
is($res->{status}, 422, 'a .txt renamed .csr: 422');
is($res->{json}{error}{code}, 'apns_not_csr', '... it is not a certificate signing request');
like($res->{json}{error}{message}, qr/PKCS#10|запрос/, '... said in words');

# a CSR whose signature was tampered with
my $bad = $der;
substr($bad, -5, 1) = chr(ord(substr($bad, -5, 1)) ^ 0xff);
$res = create([ [ 'attachments', 'tampered.csr', $bad, 'application/pkcs10' ] ]);
is($res->{json}{error}{code}, 'apns_not_csr', 'a CSR whose signature does not hold: refused');
is(count(), 0, '... and no ticket was made by any of them');

# --- accepted: PEM, DER, EC ---------------------------------------------------

$res = create([ [ 'attachments', 'push.csr', $pem, 'application/pkcs10' ] ]);
is($res->{status}, 201, 'a real CSR made with openssl req -new: accepted') or diag($res->{content});
my $n = $res->{json}{number};
my $st = $agent->api('GET', "staff/tickets/$n")->{json};
like($st->{csr}, qr/CN=com\.example\.push/, 'staff see its subject');
like($st->{csr}, qr/O=Example Ltd/, '... all of it');
like($st->{csr}, qr/RSA 2048 bits/, '... its key type and size');
is($st->{category}, 'apns_certificate', '... in its category');
my $page = $agent->get("/staff/tickets/$n")->{content};
like($page, qr{id="csr".*CN=com\.example\.push.*RSA 2048 bits}s, 'the staff page shows what the CSR asks for');

$res = create([ [ 'attachments', 'push.der', $der, 'application/octet-stream' ] ]);
is($res->{status}, 201, 'the same CSR in DER: accepted');
$res = create([ [ 'attachments', 'ec.csr', $ec, 'application/pkcs10' ] ]);
my $n_ec = $res->{json}{number};
like($agent->api('GET', "staff/tickets/$n_ec")->{json}{csr}, qr/CN=com\.example\.ec; EC 256 bits/,
     'an EC key: its type and size');

# --- staff answer with the signed certificate ---------------------------------------

system("openssl x509 -req -in $tmp/push.csr -signkey $tmp/push.key -days 365 -out $tmp/push.pem 2>/dev/null") == 0
    or die 'openssl x509 failed';
my $cert = slurp("$tmp/push.pem");
$res = $agent->post_multipart("staff/tickets/$n/messages", { kind => 'solution', body => 'Подписанный сертификат во вложении.' },
    [ [ 'attachments', 'push.pem', $cert, 'application/x-pem-file' ] ], api => 1);
is($res->{status}, 201, 'staff answer with the signed certificate attached') or diag($res->{content});
my @files = map { @{ $_->{attachments} } } @{ $ua->api('GET', "tickets/$n")->{json}{messages} };
is_deeply([ sort map { $_->{name} } @files ], [ 'push.csr', 'push.pem' ], 'the ticket keeps both: the request and the certificate');
my ($signed) = grep { $_->{name} eq 'push.pem' } @files;
is($ua->get($signed->{url})->{content}, $cert, '... and the customer downloads the certificate');

# --- the form says what to attach ---------------------------------------------------

$page = $ua->get('/tickets/new')->{content};
like($page, qr{<option value="apns_certificate">}, 'the new-ticket form offers the category');
like($page, qr/id="apns-hint"/, '... and says an APNs request is one .csr file');
like($page, qr{id="threat-portal"[^\n]*href="https://virusdesk\.example\.com/"}, 'the threat analysis portal is a link, not a ticket');
like($page, qr/id="category-hint"[^<]*не заменяет опрос/, '... and feedback is said not to replace the survey');

$t->stop;
my ($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
