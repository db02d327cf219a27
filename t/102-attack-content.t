# Attacks through what people write (SPEC §12; issue 19, the content family):
# markup in subjects, messages, names and file names; CR/LF in a file name;
# Mustache in what customers type; Markdown that would run script; a login
# that would send the browser elsewhere. Each case says what it proves.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $xss = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

my $ann = $hd->user('mallory', name => "Mallory $xss");
my $agent = $hd->staff('agent', 'agent');
my $admin = $hd->staff('boss', 'administrator');

# a raw CR/LF in a part's header is no multipart at all: refused, nothing kept
my $res = $ann->post_multipart('tickets', { subject => 'Разрыв строки', description => 'x',
                                            category => 'technical', type => 'bug', severity => 3 },
    [ [ 'attachments', "evil\r\nX-Injected: 1\r\n.txt", 'payload', 'text/plain' ] ], api => 1);
is($res->{status}, 400, 'a raw CR/LF inside a file name breaks the part header: 400');
is($res->{json}{error}{code}, 'multipart_invalid', '... multipart_invalid');
is($ann->api('GET', 'tickets')->{json}{total}, 0, '... and no ticket was made');

# as a browser sends them: CR/LF escaped in the name, markup everywhere
$res = $ann->post_multipart('tickets', { subject => "Тема $xss {{t.landing.title}}",
                                         description => "Текст $xss {{#x}}{{/x}} {{{raw}}}",
                                         category => 'technical', type => 'bug', severity => 3 },
    [ [ 'attachments', "evil%0D%0AX-Injected: 1%0D%0A<b>.txt", 'payload', 'text/plain' ] ], api => 1);
is($res->{status}, 201, 'a ticket whose subject, text, author and file name carry markup');
my $n = $res->{json}{number};

sub decoded { my $c = $_[0]{content}; utf8::decode($c); $c }

for my $who ([ customer => $ann, "/tickets/$n" ], [ staff => $agent, "/staff/tickets/$n" ],
             [ 'staff queue' => $agent, '/staff/tickets' ], [ "customer's list" => $ann, '/tickets' ]) {
    my ($name, $ua, $path) = @$who;
    my $page = decoded($ua->get($path));
    unlike($page, qr/<script>alert|<img src=x/, "the $name page ($path) carries no markup of theirs");
    like($page, qr/&lt;script&gt;alert\(1\)&lt;\/script&gt;/, '... but shows it as text');
}

my $staff_page = decoded($agent->get("/staff/tickets/$n"));
like($staff_page, qr/\{\{t\.landing\.title\}\}/, 'Mustache in a subject is text: not rendered as a template');
unlike($staff_page, qr/^X-Injected/m, '... and the escaped CR/LF of the file name splits no line');

my $file = $ann->api('GET', "tickets/$n")->{json}{messages}[0]{attachments}[0];
$res = $ann->get($file->{url});
is($res->{status}, 200, 'the file with CR/LF and markup in its name downloads');
ok(!exists $res->{headers}{'x-injected'}, '... and adds no header of its own');
unlike($res->{headers}{'content-disposition'}, qr/[\r\n]/, '... its Content-Disposition is one line');
is($res->{headers}{'content-type'}, 'text/plain', '... as plain text');

# the e-mail repeats the subject as text, with no header of its own
my $mail = $hd->last_mail('ticket_created', 'mallory@example.com');
ok($mail, 'the creation e-mail was written');
like($mail->{subject}, qr/\{\{t\.landing\.title\}\}/, '... Mustache stays text in it');
unlike($mail->{raw} // '', qr/^X-Injected/m, '... and no header came from what was typed');

# --- Markdown in an article ---

$admin->api('PATCH', "admin/staff/$admin->{id}", { kb_editor => JSON::PP::true });
$res = $admin->api('POST', 'staff/kb/articles', {
    title => "Статья $xss", language => 'ru', audience => 'public', state => 'published',
    body => "[ссылка](javascript:alert(1)) ![i](javascript:alert(2))\n\n<script>alert(3)</script>\n\n"
          . "<a href=\"javascript:alert(4)\">a</a> [ref]\n\n[ref]: JaVaScRiPt:alert(5)\n\n<iframe src=//evil.example></iframe>" });
is($res->{status}, 201, 'an article written to run script');
my $article = $hd->client->api('GET', "kb/articles/$res->{json}{id}")->{json};
my $public = decoded($hd->client->get($article->{url}));
for my $bad (qr/javascript:/i, qr/<script/i, qr/<iframe/i, qr/<img src=x/) {
    unlike($article->{body_html}, $bad, "its HTML in the API has no $bad");
    unlike($public, $bad, "... nor its public page");
}
like($public, qr/ссылка/, '... which still shows the words');

# --- redirects ---

for my $next ('//evil.example/', 'https://evil.example/', '/\\evil.example', "/%0d%0aX-Injected:%201",
              'javascript:alert(1)', '///evil.example') {
    my $web = $hd->client;
    my $csrf = $web->form_csrf('/login');
    $res = $web->post_form('/login', { csrf => $csrf, login => 'mallory', password => 'mallory-password-1',
                                       next => $next });
    is($res->{status}, 303, "a login with next=$next succeeds");
    my $to = $res->{headers}{location} // '';
    unlike($to, qr/evil|javascript|[\r\n]/i, "... and stays on the portal ($to)");
}

$hd->finish;

done_testing;
