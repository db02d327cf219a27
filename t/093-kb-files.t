# Files of knowledge-base articles (SPEC §8, issue 15): images shown in an
# article's text and attachments listed under it, uploaded by staff who
# edit articles from the edit page or the API, served like tickets' files
# (nginx sends them, an HTML upload never rendered), read only by who may
# read the article: an internal article's files are a 404 to customers and
# visitors; removed with a confirmation; the content stays while a ticket
# still names it.

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Digest::SHA qw(sha256_hex);
use Helpdesk::Test;

binmode(Test::More->builder->$_, ':utf8') for qw(output failure_output todo_output);

my $t = Helpdesk::Test->new->start;
my $files = $t->data . '/files';

my $admin = $t->staff('boss', 'administrator');
my $agent = $t->staff('agent', 'agent');
my $ivan = $t->user('ivan');
my $visitor = $t->client;

my $png = "\x89PNG\r\n\x1a\n" . join('', map { chr(($_ * 13) % 256) } 1 .. 3000);
my $pdf = "%PDF-1.4\n" . ('инструкция ' x 200);

sub path_of { my ($url) = @_; $url =~ s{^https?://[^/]+}{}; $url }

sub article {
    my (%a) = @_;
    my $res = $admin->api('POST', 'staff/kb/articles',
        { language => 'ru', state => 'published', audience => 'public', %a });
    die "no article: $res->{content}" unless $res->{status} == 201;
    return $res->{json}{id};
}

my $public = article(title => 'Как установить драйвер токена', body => 'Смотрите рисунок ниже.');
my $internal = article(title => 'Внутренняя кухня', body => 'Только для своих.', audience => 'internal');

# --- uploads through the API ----------------------------------------------

my $res = $admin->post_multipart("staff/kb/articles/$public/files", {},
    [ [ 'attachments', 'окно установки.png', $png, 'image/png' ],
      [ 'attachments', 'инструкция.pdf', $pdf, 'application/pdf' ] ], api => 1);
is($res->{status}, 201, 'two files attached to an article through the API') or diag($res->{content});
my @f = @{ $res->{json}{files} // [] };
is(scalar @f, 2, '... both described');
is($f[0]{name}, 'окно установки.png', '... with their names');
is($f[0]{size}, length $png, '... sizes');
like($f[0]{url}, qr{/kb/$public/files/\d+$}, '... and their addresses');
my $sha = sha256_hex($png);
ok(-f "$files/" . substr($sha, 0, 2) . "/$sha", 'the content is in the file store under its SHA-256');

$res = $agent->post_multipart("staff/kb/articles/$public/files", {},
    [ [ 'attachments', 'x.png', $png, 'image/png' ] ], api => 1);
is($res->{status}, 403, 'staff without the right to edit articles may not attach');
$res = $ivan->post_multipart("staff/kb/articles/$public/files", {},
    [ [ 'attachments', 'x.png', $png, 'image/png' ] ], api => 1);
isnt($res->{status}, 201, 'nor may a customer');
$res = $admin->post_multipart("staff/kb/articles/999999/files", {},
    [ [ 'attachments', 'x.png', $png, 'image/png' ] ], api => 1);
is($res->{status}, 404, 'no such article: 404');
$res = $admin->post_multipart("staff/kb/articles/$public/files", { note => 'x' }, [], api => 1);
is($res->{status}, 422, 'nothing to attach: 422');
is($res->{json}{error}{field}, 'attachments', '... naming the field');

# --- reading ------------------------------------------------------------

$res = $visitor->api('GET', "kb/articles/$public");
is(scalar @{ $res->{json}{files} }, 2, 'the article in the API lists its files');

$res = $visitor->get($f[0]{url});
is($res->{status}, 200, 'a visitor reads an image of a public article');
is($res->{content}, $png, '... byte for byte');
is($res->{headers}{'content-type'}, 'image/png', '... as an image');
like($res->{headers}{'content-disposition'}, qr/^inline; /, '... to be shown in the page');
like($res->{headers}{'cache-control'}, qr/public/, '... and cacheable, since anyone may read it');
$res = $visitor->get($f[1]{url});
like($res->{headers}{'content-disposition'}, qr/^attachment; /, 'a PDF is a download');

$res = $visitor->get("/kb/$public");
($res->{headers}{location} // '') =~ m{^(?:https?://[^/]+)?(/.*)$} and $res = $visitor->get($1)
    if $res->{status} == 301;
like($res->{content}, qr{<a href="[^"]*/kb/$public/files/$f[1]{id}">инструкция\.pdf</a>},
     'the article page lists its attachments');

# an image in the text: Markdown naming the file's address
$res = $admin->get("/staff/kb/$public/edit");
my ($line) = $res->{content} =~ m{<code>(!\[[^<]*\]\([^)]*/files/$f[0]{id}\))</code>};
ok($line, 'the edit page gives the line that shows the image') or diag($res->{content});
$res = $admin->api('PATCH', "staff/kb/articles/$public", { body => "Смотрите рисунок:\n\n$line\n" });
is($res->{status}, 200, 'the text shows it');
$res = $visitor->api('GET', "kb/articles/$public");
like($res->{json}{body_html}, qr{<img src="[^"]*/kb/$public/files/$f[0]{id}" alt="окно установки\.png"},
     'the article shows the image');

# an HTML upload is never rendered
$res = $admin->post_multipart("staff/kb/articles/$public/files", {},
    [ [ 'attachments', 'evil.html', '<script>alert(1)</script>', 'text/html' ] ], api => 1);
my $evil = $res->{json}{files}[0];
$res = $visitor->get($evil->{url});
is($res->{headers}{'content-type'}, 'application/octet-stream', 'an HTML file is sent as bytes');
like($res->{headers}{'content-disposition'}, qr/^attachment; /, '... to download');

# --- an internal article's files: nobody else's --------------------------

$res = $admin->post_multipart("staff/kb/articles/$internal/files", {},
    [ [ 'attachments', 'схема сети.png', $png . 'x', 'image/png' ] ], api => 1);
my $secret = $res->{json}{files}[0];
for my $who ([$visitor, 'a visitor'], [$ivan, 'a customer']) {
    $res = $who->[0]->get($secret->{url});
    is($res->{status}, 404, "$who->[1] gets 404 for an internal article's file");
    isnt($res->{content}, $png . 'x', '... and not its bytes');
    $res = $who->[0]->get("/api/v1/kb/articles/$internal/files/$secret->{id}");
    is($res->{status}, 404, "... in the API too");
}
is($agent->get($secret->{url})->{status}, 200, 'staff read it');
like($agent->get($secret->{url})->{headers}{'cache-control'}, qr/no-store/, '... never cached');

# a file of one article is not found under another
is($visitor->get("/kb/$public/files/$secret->{id}")->{status}, 404,
   "an internal file is not reached through a public article's address");

# a draft's files: only staff
my $draft = article(title => 'Черновик', body => 'Пока не готово', state => 'draft');
$res = $admin->post_multipart("staff/kb/articles/$draft/files", {},
    [ [ 'attachments', 'd.png', $png . 'd', 'image/png' ] ], api => 1);
is($ivan->get($res->{json}{files}[0]{url})->{status}, 404, "a draft's file is a 404 to customers");

# --- the edit page: attach and remove as a person does ---------------------

my $csrf = $admin->form_csrf("/staff/kb/$public/edit");
$res = $admin->post_multipart("staff/kb/$public/files", { csrf => $csrf },
    [ [ 'attachments', 'журнал.txt', "строка 1\n", 'text/plain' ] ]);
is($res->{status}, 303, 'the edit page attaches a file');
like($res->{headers}{location}, qr{/staff/kb/$public/edit\?notice=kb_files_added#files}, '... and comes back to it');
$res = $admin->get(path_of($res->{headers}{location}));
like($res->{content}, qr/Файлы приложены к статье/, '... saying so');
my ($txt) = $res->{content} =~ m{<tr id="file-(\d+)">\s*<td><a href="[^"]*">журнал\.txt</a>};
ok($txt, '... the file listed') or diag($res->{content});

$res = $admin->post_form("/staff/kb/$public/files/$txt/delete", { csrf => $csrf });
is($res->{status}, 422, 'removing without ticking the confirmation is refused');
$res = $admin->get("/staff/kb/$public/edit");
like($res->{content}, qr{журнал\.txt}, '... and the file is still there');
$res = $admin->post_form("/staff/kb/$public/files/$txt/delete", { csrf => $csrf, confirm => 1 });
is($res->{status}, 303, 'with it, the file is removed');
$res = $admin->get(path_of($res->{headers}{location}));
unlike($res->{content}, qr{журнал\.txt}, '... and no longer listed');
is($visitor->get("/kb/$public/files/$txt")->{status}, 404, '... nor served');

# --- removal and the file store -------------------------------------------

# the same image on a ticket: the content stays while the ticket names it
my $n = $t->ticket($ivan, subject => 'Драйвер', description => 'Скриншот');
$res = $ivan->post_multipart("tickets/$n/messages", { body => 'вот' },
    [ [ 'attachments', 'same.png', $png, 'image/png' ] ], api => 1);
is($res->{status}, 201, 'a customer attaches the same image to a ticket');
$res = $admin->api('DELETE', "staff/kb/articles/$public/files/$f[0]{id}");
is($res->{status}, 204, 'the API removes a file of an article');
is($visitor->get($f[0]{url})->{status}, 404, '... it is no longer served');
ok(-f "$files/" . substr($sha, 0, 2) . "/$sha", "... but the content stays: the ticket's attachment names it");
$res = $admin->api('DELETE', "staff/kb/articles/$public/files/$f[0]{id}");
is($res->{status}, 404, 'removing it again: 404');

$t->stop;
my ($rc, $out) = $t->cli('check');
is($rc, 0, 'the data directory checks out') or diag($out);
$t->finish;
done_testing;
