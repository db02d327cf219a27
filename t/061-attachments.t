# Attachments (SPEC §5.7): multipart uploads within helpdesk_upload_limits
# (a file, a message, a count: at and over each), stored once per content
# before the transaction that refers to them, sent by nginx itself as
# attachments; big uploads refused without the worker's memory growing.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use File::Find;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new(http => 'helpdesk_upload_limits file=100k message=250k count=3;')->start;
my $files = $hd->data . '/files';

my $ua = $hd->user('ann');
my %ticket = (subject => 'Скриншот ошибки', description => 'Во вложении', category => 'technical',
              type => 'bug', severity => 3);

sub stored_files {
    my @found;
    find(sub { push @found, $File::Find::name if -f && $File::Find::dir !~ m{/tmp$} }, $files);
    return @found;
}

sub tmp_left { opendir my $d, "$files/tmp" or return 0; scalar grep { !/^\./ } readdir $d }

my $png = "\x89PNG\r\n\x1a\n" . join('', map { chr(($_ * 7) % 256) } 1 .. 5000);

# --- create with files through the API ---

my $res = $ua->post_multipart('tickets', \%ticket,
    [ [ 'attachments', 'скриншот ошибки.png', $png, 'image/png' ],
      [ 'attachments', 'trace.log', "line 1\r\n--not a boundary\r\nline 3\n", 'text/plain' ] ],
    api => 1);
is($res->{status}, 201, 'POST /tickets as multipart with two files: 201') or diag($res->{content});
my $n = $res->{json}{number};

$res = $ua->api('GET', "tickets/$n");
my $atts = $res->{json}{messages}[0]{attachments};
is(scalar @$atts, 2, 'the description carries both files');
is($atts->[0]{name}, 'скриншот ошибки.png', '... with their names as sent');
is($atts->[0]{size}, length $png, '... and their sizes');
is($atts->[0]{type}, 'image/png', '... and types');

# stored once per content, on disk before the commit that names it
my $sha = sha256_hex($png);
ok(-f "$files/" . substr($sha, 0, 2) . "/$sha", 'the content is stored under its SHA-256');
is(tmp_left(), 0, '... and no temporary file is left');

# --- downloads ---

$res = $ua->get($atts->[0]{url});
is($res->{status}, 200, 'the author downloads it');
is($res->{content}, $png, '... byte for byte');
like($res->{headers}{'content-disposition'}, qr/^attachment; /, '... as an attachment');
like($res->{headers}{'content-disposition'},
     qr/filename\*=UTF-8''%D1%81%D0%BA%D1%80%D0%B8%D0%BD%D1%88%D0%BE%D1%82%20/,
     '... with its UTF-8 name (RFC 6266)');
is($res->{headers}{'x-content-type-options'}, 'nosniff', '... nosniff');
is($res->{headers}{'content-type'}, 'image/png', '... its type');
$res = $ua->get("/tickets/$n/files/$atts->[1]{id}");
is($res->{content}, "line 1\r\n--not a boundary\r\nline 3\n", 'the page link gives the other one');

# a page pretending to be a picture is never rendered
$res = $ua->post_multipart("tickets/$n/messages", { body => 'ещё' },
    [ [ 'attachments', 'evil.html', '<script>alert(1)</script>', 'text/html' ] ], api => 1);
is($res->{status}, 201, 'a reply with a file');
$res = $ua->api('GET', "tickets/$n");
my ($evil) = map { @{ $_->{attachments} } } grep { $_->{kind} eq 'customer' && @{ $_->{attachments} } }
             reverse @{ $res->{json}{messages} };
$res = $ua->get($evil->{url});
is($res->{headers}{'content-type'}, 'application/octet-stream', 'an HTML upload is sent as plain bytes');
like($res->{headers}{'content-disposition'}, qr/^attachment;/, '... and as an attachment');

# only a few harmless types are sent as uploaded: script types a browser
# runs from <script src> despite nosniff (text/jscript, text/livescript)
# and any type nobody listed are plain bytes
my @types = ([ 'a.js', 'text/jscript', 'application/octet-stream' ],
             [ 'b.js', 'text/livescript', 'application/octet-stream' ],
             [ 'c.js', 'application/x-javascript', 'application/octet-stream' ],
             [ 'd.svg', 'image/svg+xml', 'application/octet-stream' ],
             [ 'e.xyz', 'application/x-made-up', 'application/octet-stream' ],
             [ 'f.pdf', 'application/pdf', 'application/pdf' ],
             [ 'g.jpg', 'image/jpeg', 'image/jpeg' ],
             [ 'h.txt', 'text/plain; charset=utf-8', 'text/plain' ]);
my $sent = 0;
for (@types) {
    $res = $ua->post_multipart("tickets/$n/messages", { body => 'тип' },
        [ [ 'attachments', $_->[0], 'alert(document.domain)', $_->[1] ] ], api => 1);
    $sent += $res->{status} == 201;
}
is($sent, scalar @types, 'replies with files of many types');
$res = $ua->api('GET', "tickets/$n");
my %url = map { $_->{name} => $_->{url} } map { @{ $_->{attachments} } } @{ $res->{json}{messages} };
for (@types) {
    my ($name, $sent, $want) = @$_;
    is($ua->get($url{$name})->{headers}{'content-type'}, $want, "uploaded as $sent, sent as $want");
}

# the same content twice: stored once
my $before = () = stored_files();
$res = $ua->post_multipart('tickets', \%ticket, [ [ 'attachments', 'again.png', $png, 'image/png' ] ], api => 1);
is($res->{status}, 201, 'the same picture in another ticket');
is(scalar(() = stored_files()), $before, '... is not stored again');

# --- limits: at each one and over it ---

my $k100 = 'a' x (100 * 1024);
$res = $ua->post_multipart('tickets', \%ticket, [ [ 'attachments', 'at.bin', $k100 ] ], api => 1);
is($res->{status}, 201, 'a file of exactly file=100k');

my $tickets = $ua->api('GET', 'tickets')->{json}{total};
$before = () = stored_files();
$res = $ua->post_multipart('tickets', \%ticket, [ [ 'attachments', 'over.bin', $k100 . 'b' ] ], api => 1);
is($res->{status}, 413, 'a byte over it: 413');
is($res->{json}{error}{code}, 'file_too_large', '... file_too_large');
is($res->{json}{error}{field}, 'attachments', '... naming the field');

$res = $ua->post_multipart('tickets', \%ticket,
    [ map { [ 'attachments', "f$_.bin", ($_ x (100 * 1024)) ] } 1 .. 2 ],
    api => 1);
is($res->{status}, 201, 'two of 100k (message=250k)');
$res = $ua->post_multipart('tickets', \%ticket,
    [ (map { [ 'attachments', "g$_.bin", ($_ x (100 * 1024)) ] } 3 .. 4),
      [ 'attachments', 'g5.bin', 'x' x (50 * 1024) ] ],
    api => 1);
is($res->{status}, 201, 'exactly 250k in three files');
$res = $ua->post_multipart('tickets', \%ticket,
    [ (map { [ 'attachments', "h$_.bin", ($_ x (100 * 1024)) ] } 5 .. 6),
      [ 'attachments', 'h7.bin', 'y' x (50 * 1024 + 1) ] ],
    api => 1);
is($res->{status}, 413, 'a byte over message=250k: 413');
is($res->{json}{error}{code}, 'message_too_large', '... message_too_large');

$res = $ua->post_multipart('tickets', \%ticket, [ map { [ 'attachments', "c$_.txt", "c$_" ] } 1 .. 4 ], api => 1);
is($res->{status}, 422, 'four files with count=3: 422');
is($res->{json}{error}{code}, 'too_many_files', '... too_many_files');

is($ua->api('GET', 'tickets')->{json}{total}, $tickets + 2, 'the refused ones stored no ticket');
is(tmp_left(), 0, '... and left no temporary file');

# bad input in the fields of a multipart body: nothing kept
$before = () = stored_files();
$res = $ua->post_multipart('tickets', { %ticket, subject => '' },
    [ [ 'attachments', 'unique.txt', 'content never seen before ' . time ] ], api => 1);
is($res->{status}, 422, 'an empty subject with a file: 422');
is($res->{json}{error}{field}, 'subject', '... naming the subject');
is(scalar(() = stored_files()), $before, '... and the file is not kept');

# a name with raw quotes (some clients send them so): the file is kept,
# named, not dropped as though none was chosen
for my $raw ('""quoted" name.txt"', '"a "b" c.txt"') {
    my $body = "--zz\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nquotes\r\n"
             . "--zz\r\nContent-Disposition: form-data; name=\"attachments\"; filename=$raw\r\n"
             . "Content-Type: text/plain\r\n\r\nquoted content $raw\r\n--zz--\r\n";
    $res = $ua->request('POST', "api/v1/tickets/$n/messages", content => $body,
                        headers => { 'Content-Type' => 'multipart/form-data; boundary=zz',
                                     'X-CSRF-Token' => $ua->csrf });
    is($res->{status}, 201, "a file named $raw: 201");
    my ($got) = map { @{ $_->{attachments} } } grep { $_->{id} == $res->{json}{id} }
                @{ $ua->api('GET', "tickets/$n")->{json}{messages} };
    (my $want = $raw) =~ s/^"|"$//g;
    is($got && $got->{name}, $want, '... kept with its name, quotes and all');
}

# broken bodies
my ($type, $body) = $ua->multipart(\%ticket, [ [ 'attachments', 'x.txt', 'xyz' ] ]);
$body =~ s/--\r\n$//;
$body = substr($body, 0, length($body) - 20);
$res = $ua->request('POST', 'api/v1/tickets', content => $body,
                    headers => { 'Content-Type' => $type, 'X-CSRF-Token' => $ua->csrf });
is($res->{status}, 400, 'a truncated multipart body: 400');
is($res->{json}{error}{code}, 'multipart_invalid', '... multipart_invalid');
$res = $ua->request('POST', 'api/v1/tickets', content => "garbage",
                    headers => { 'Content-Type' => 'multipart/form-data', 'X-CSRF-Token' => $ua->csrf });
is($res->{status}, 400, 'multipart without a boundary: 400');
is(tmp_left(), 0, 'broken bodies leave no temporary file');

# CSRF applies to multipart forms too
$res = $ua->post_multipart('/tickets/new', { %ticket, csrf => 'A' x 43 }, [ [ 'attachments', 'x.txt', 'x' ] ]);
is($res->{status}, 403, 'a multipart form with a wrong CSRF token: 403');

# --- who may download ---

my $other = $hd->user('bob');
$res = $other->get($atts->[0]{url});
is($res->{status}, 404, "another customer gets 404 for the file");
is($other->get("/tickets/$n")->{status}, 404, '... and for the ticket');
my $mine = $hd->ticket($other);
is($other->get("/tickets/$mine/files/$atts->[0]{id}")->{status}, 404,
   "... also through a ticket of their own with the file's id");
is($ua->get("/tickets/$n/files/999999")->{status}, 404, 'a guessed file id: 404');
is($hd->client->get($atts->[0]{url})->{status}, 401, 'a visitor: 401 from the API');
ok(!($hd->access_log =~ m{GET /_helpdesk_files/.* 200}), 'the internal location is never asked for directly');
is($hd->client->get('/_helpdesk_files/' . substr($sha, 0, 2) . "/$sha")->{status}, 404,
   '... and answers 404 from outside');

# --- the form with a file ---

my $csrf = $ua->form_csrf('/tickets/new');
$res = $ua->post_multipart('/tickets/new', [ csrf => $csrf, certificate => '', %ticket ],
                           [ [ 'attachments', 'form.txt', 'from the form' ] ]);
is($res->{status}, 303, 'the form with a file');
my ($fn) = $res->{headers}{location} =~ m{/tickets/(\d+)/created};
my $page = $ua->get("/tickets/$fn");
like($page->{content}, qr{<a href="/tickets/$fn/files/\d+" download>form\.txt</a>}, '... the page links the file');

# --- backups carry the files; check finds one missing ---

my $backup = $hd->dir . '/backup';
my ($rc, $out) = $hd->cli('backup', $backup);
is($rc, 0, 'helpdesk backup with attachments') or diag($out);
like($out, qr/\((\d+) attachment files\)/, '... says how many files it copied');
ok(-f "$backup/files/" . substr($sha, 0, 2) . "/$sha", '... the files are in the backup');
($rc, $out) = $hd->cli_on($backup, 'check');
is($rc, 0, 'the backup checks consistent, files and all') or diag($out);
like($out, qr/^files checked: \d+ in \Q$backup\E\/files \(sizes and SHA-256\)$/m, '... having looked at its files, content and all');
like($out, qr/^orphans: 0 stored files nothing refers to$/m, '... none of them an orphan');

# a byte changed in place, the size the same: found by its SHA-256
my $stored = "$backup/files/" . substr($sha, 0, 2) . "/$sha";
{
    open my $fh, '+<', $stored or die $!;
    binmode $fh;
    seek $fh, 100, 0; read $fh, my $byte, 1;
    seek $fh, 100, 0; print $fh chr(ord($byte) ^ 1);
    close $fh;
}
($rc, $out) = $hd->cli_on($backup, 'check');
is($rc, 1, 'a file with one bit flipped, of the same size: check fails');
like($out, qr/problem: the file $sha is changed: its content is not the one stored \(SHA-256\)/, '... naming it and why');
($rc, $out) = $hd->cli_on($backup, 'check', '--quick');
is($rc, 0, '... which check --quick (sizes only) does not see');
like($out, qr/\(sizes only\)/, '... and says it looked at sizes only');
($rc, $out) = $hd->cli_on($backup, 'check', '--slow');
is($rc, 2, 'an unknown option of check: usage error');
like($out, qr/unknown option "--slow"/, '... naming it');

# what a crash leaves: a stored file nothing refers to, a partial upload
mkdir "$backup/files/ff";
my $orphan = 'f' x 64;
Helpdesk::Test::write_file("$backup/files/ff/$orphan", 'nobody refers to me');
mkdir "$backup/files/tmp";
Helpdesk::Test::write_file("$backup/files/tmp/upload.12345", 'half an upl');
($rc, $out) = $hd->cli_on($backup, 'check', '--quick');
like($out, qr{^orphan: ff/$orphan \(no attachment refers to it\)$}m, 'check names an orphan file');
like($out, qr/^orphans: 1 stored files nothing refers to$/m, '... counts it');
like($out, qr/^temp leftovers: 1 partial uploads in tmp\/$/m, '... and the partial upload left in tmp/');
is($rc, 0, '... as reports, not problems (a crash leaves them)');

unlink "$backup/files/" . substr($sha, 0, 2) . "/$sha" or die $!;
($rc, $out) = $hd->cli_on($backup, 'check');
isnt($rc, 0, 'a file gone from the store fails the check');
like($out, qr/problem: the file $sha is missing/, '... naming it');

$hd->finish;

# --- big uploads and the workers' memory (default limits) ---

my $big = Helpdesk::Test->new->start;
my $u = $big->user('big');

sub rss {
    my $total = 0;
    for my $pid ($big->worker_pids) {
        open my $fh, '<', "/proc/$pid/status" or next;
        while (<$fh>) { $total += $1 if /^VmRSS:\s+(\d+)/ }
    }
    return $total;
}

sub raw_post {
    my ($length, $send, $chunked) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $big->port) or die $!;
    my $cookies = join '; ', map { "$_=$u->{cookies}{$_}" } keys %{ $u->{cookies} };
    my $head = "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\nCookie: $cookies\r\n"
             . "X-CSRF-Token: $u->{csrf}\r\nContent-Type: multipart/form-data; boundary=zz\r\n"
             . ($chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: $length\r\n")
             . "Connection: close\r\n\r\n";
    print $s $head;
    my $chunk = 'x' x (1024 * 1024);
    local $SIG{PIPE} = 'IGNORE';
    for (1 .. $send) {
        my $ok = $chunked ? print $s sprintf("%x\r\n", length $chunk), $chunk, "\r\n" : print $s $chunk;
        last unless $ok;
    }
    print $s "0\r\n\r\n" if $chunked;
    my $answer = '';
    while (<$s>) { $answer .= $_ }
    return $answer;
}

my $rss0 = rss();
my $answer = raw_post(100 * 1024 * 1024, 100);
like($answer, qr{^HTTP/1.1 413}, 'a 100 MB upload (Content-Length): 413 at once');
like($answer, qr/message_too_large/, '... saying why');
$answer = raw_post(0, 100, 1);
like($answer, qr{^HTTP/1.1 413}, 'a 100 MB upload (chunked): 413');
like($answer, qr{\r\nContent-Type: application/json.*"code":"message_too_large".*"field":"attachments"}s,
     "... the portal's JSON, naming the field (not nginx's HTML page)");
like($answer, qr{\r\nContent-Security-Policy: default-src 'none'}, '... with the security headers');

# the same for a JSON body and a form sent without a length
sub chunked_post {
    my ($path, $type, $mb) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $big->port) or die $!;
    my $cookies = join '; ', map { "$_=$u->{cookies}{$_}" } keys %{ $u->{cookies} };
    print $s "POST $path HTTP/1.1\r\nHost: x\r\nCookie: $cookies\r\nX-CSRF-Token: $u->{csrf}\r\n"
           . "Content-Type: $type\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    local $SIG{PIPE} = 'IGNORE';
    my $chunk = 'a' x (1024 * 1024);
    for (1 .. $mb) { print $s sprintf("%x\r\n", length $chunk), $chunk, "\r\n" or last }
    print $s "0\r\n\r\n";
    my $answer = '';
    while (<$s>) { $answer .= $_ }
    return $answer;
}
$answer = chunked_post('/api/v1/tickets', 'application/json', 3);
like($answer, qr{^HTTP/1.1 413.*"code":"body_too_large"}s, 'a 3 MB JSON body (chunked): 413 body_too_large in JSON');
$answer = chunked_post('/profile', 'application/x-www-form-urlencoded', 3);
like($answer, qr{^HTTP/1.1 413.*Content-Type: text/html.*<html lang=}s, 'a 3 MB form (chunked): 413 as a page of the portal');
unlike($answer, qr{<center>nginx}, "... not nginx's own");

my $rss1 = rss();
cmp_ok($rss1 - $rss0, '<', 8 * 1024, "the workers' memory grew by less than 8 MB (" . ($rss1 - $rss0) . " KB)");

# a 20 MB file at the default limit goes through a file, not memory
$rss0 = rss();
my $twenty = 'z' x (20 * 1024 * 1024);
$res = $u->post_multipart('tickets', \%ticket, [ [ 'attachments', 'big.bin', $twenty ] ], api => 1);
is($res->{status}, 201, 'a 20 MB file (the default file limit) is taken');
$rss1 = rss();
cmp_ok($rss1 - $rss0, '<', 8 * 1024, "... with the workers' memory growing less than 8 MB (" . ($rss1 - $rss0) . " KB)");
$res = $u->get($u->api('GET', "tickets/$res->{json}{number}")->{json}{messages}[0]{attachments}[0]{url});
is(length $res->{content}, length $twenty, '... and downloads whole');

$big->finish;

# --- a file store of its own, behind an internal location of its own ---

my $own = Helpdesk::Test->new(files_uri => '/attachments-internal/');
$own->{files} = $own->dir . '/store';
$own->{http} = "helpdesk_files $own->{files} internal=/attachments-internal/;";
$own->start;
$u = $own->user('own');
$res = $u->post_multipart('tickets', \%ticket, [ [ 'attachments', 'mine.txt', 'in my store' ] ], api => 1);
is($res->{status}, 201, 'helpdesk_files: a ticket with a file');
$sha = sha256_hex('in my store');
ok(-f "$own->{files}/" . substr($sha, 0, 2) . "/$sha", '... stored in the directory it names');
$res = $u->get($u->api('GET', "tickets/$res->{json}{number}")->{json}{messages}[0]{attachments}[0]{url});
is($res->{content}, 'in my store', '... and sent through its internal location');
$own->finish;

done_testing;
