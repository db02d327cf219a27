# Bad configuration fails `nginx -t`, naming the directive and the value,
# or the template file and line (SPEC §10.1, §11).

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Copy qw(copy);
use File::Path qw(make_path);
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new;
my $dir = $hd->dir;

sub fails_with {
    my ($what, $re, %conf) = @_;
    my ($rc, $out) = $hd->nginx_t(%conf);
    isnt($rc, 0, "nginx -t fails: $what");
    like($out, $re, '... saying why') or diag($out);
}

my ($rc, $out) = $hd->nginx_t;
is($rc, 0, 'the harness configuration passes nginx -t') or diag($out);
like($out, qr/test is successful/, '... successfully');

# helpdesk_db
fails_with('a map size that is not a size',
           qr/\[emerg\] \d+#\d+: helpdesk_db: invalid map size "lots" .* in \S+:\d+/,
           db => "helpdesk_db $dir/data map=lots;");
fails_with('a map size that is too small',
           qr/helpdesk_db: invalid map size "1k"/, db => "helpdesk_db $dir/data map=1k;");
fails_with('a map size that is too large',
           qr/helpdesk_db: invalid map size "9999g"/, db => "helpdesk_db $dir/data map=9999g;");
fails_with('an unknown parameter',
           qr/helpdesk_db: invalid parameter "size=1g"/, db => "helpdesk_db $dir/data size=1g;");
fails_with('no helpdesk_db at all',
           qr/helpdesk in location "\/" needs helpdesk_db/, db => '');
fails_with('helpdesk_db twice',
           qr/"helpdesk_db" directive is duplicate/,
           db => "helpdesk_db $dir/data; helpdesk_db $dir/data2;");
fails_with('helpdesk_db in a location',
           qr/"helpdesk_db" directive is not allowed here/,
           location => "helpdesk_db $dir/data;");

# helpdesk_threat_portal
fails_with('a threat portal that is not an https:// address',
           qr/helpdesk_threat_portal: invalid URL "ftp:\/\/virus\.example" \(an https:\/\/ address\)/,
           http => 'helpdesk_threat_portal ftp://virus.example;');
fails_with('a threat portal with a quote in it',
           qr/helpdesk_threat_portal: invalid URL/, http => "helpdesk_threat_portal 'https://x.example/\"onclick';");
($rc, $out) = $hd->nginx_t(http => 'helpdesk_threat_portal https://virusdesk.example.com/;');
is($rc, 0, 'an https:// threat portal passes') or diag($out);

# helpdesk_templates
fails_with('a templates directory that does not exist',
           qr/helpdesk_templates "\/nonexistent\/templates": the templates directory "\/nonexistent\/templates" does not exist/,
           templates_line => 'helpdesk_templates /nonexistent/templates;');
fails_with('no helpdesk_templates',
           qr/helpdesk in location "\/" needs helpdesk_templates/, templates_line => '');

# a copy of the templates to break
sub copy_templates {
    my ($name) = @_;
    my $to = "$dir/$name";
    system('cp', '-r', "$Helpdesk::Test::ROOT/lua-free-templates", $to) == 0 or die;
    return $to;
}

my $bad = copy_templates('unclosed');
open my $fh, '>>', "$bad/pages/landing.mustache" or die;
print $fh "<p>\n{{#never_closed}}\nx\n";
close $fh;
my $lines = () = Helpdesk::Test::read_file("$bad/pages/landing.mustache") =~ /\n/g;
fails_with('a template with an unclosed section',
           qr/helpdesk_templates "\Q$bad\E": \Q$bad\E\/pages\/landing\.mustache:@{[$lines - 1]}: unclosed section "never_closed"/,
           templates => $bad);

$bad = copy_templates('mismatch');
Helpdesk::Test::write_file("$bad/partials/x.mustache", "a\nb\n{{#one}}{{/two}}\n");
fails_with('a template whose closing tag does not match',
           qr/partials\/x\.mustache:3: closing tag "two" does not match section "one" opened at line 3/,
           templates => $bad);

$bad = copy_templates('partial');
Helpdesk::Test::write_file("$bad/pages/extra.mustache", "{{> partials/nope}}\n");
fails_with('a template naming a partial that does not exist',
           qr/pages\/extra\.mustache:1: unknown partial "partials\/nope"/, templates => $bad);

$bad = copy_templates('missing');
unlink "$bad/pages/landing.mustache";
fails_with('a template the module needs is missing',
           qr/the template "pages\/landing\.mustache" is missing/, templates => $bad);

$bad = copy_templates('catalogue');
my $en = Helpdesk::Test::read_file("$bad/i18n/en.json");
$en =~ s/"how_heading": "How to get help",\n// or die "the catalogue changed";
Helpdesk::Test::write_file("$bad/i18n/en.json", $en);
fails_with('a text missing in one language',
           qr/the text "landing\.how_heading" of ru\.json is missing/, templates => $bad);

$bad = copy_templates('json');
Helpdesk::Test::write_file("$bad/i18n/ru.json", "{\n  \"a\": 1,\n  oops\n}\n");
fails_with('a catalogue that is not JSON', qr/i18n\/ru\.json:3: /, templates => $bad);

$bad = copy_templates('key');
{
    my $landing = Helpdesk::Test::read_file("$bad/pages/landing.mustache");
    $landing =~ s/\{\{t\.landing\.heading\}\}/{{t.landing.nosuchkey}}/ or die "the landing changed";
    Helpdesk::Test::write_file("$bad/pages/landing.mustache", $landing);
}
fails_with('a template naming a text the catalogue does not have',
           qr/helpdesk_templates "\Q$bad\E": \Q$bad\E\/pages\/landing\.mustache:\d+: \{\{t\.landing\.nosuchkey\}\}: the catalogue has no such text/,
           templates => $bad);

# the internal location downloads go to must be there, with the store's alias
{
    my $t = Helpdesk::Test->new(files_uri => '/_helpdesk_files/');
    my ($rc, $out) = $t->nginx_t(http => "helpdesk_files $dir/store internal=/nowhere/;");
    isnt($rc, 0, 'nginx -t fails: helpdesk_files internal= names a location the server lacks');
    like($out, qr/helpdesk_files: the server of the portal at "\/" has no internal location for "\/nowhere\/" with alias \Q$dir\E\/store\/ \(every download would be a 404\): add location \/nowhere\/ \{ internal; alias \Q$dir\E\/store\/; \}/,
         '... naming the directive, the location and what to add') or diag($out);

    $t = Helpdesk::Test->new(files => "$dir/elsewhere");
    ($rc, $out) = $t->nginx_t;
    isnt($rc, 0, 'nginx -t fails: the files location aliases another directory than the store');
    like($out, qr/helpdesk_files: the location "\/_helpdesk_files\/" has alias \Q$dir\E\/elsewhere\/, not the attachment store \S+\/data\/files\//,
         '... naming both') or diag($out);

    $t = Helpdesk::Test->new(files => "$dir/att", files_uri => '/att/');
    ($rc, $out) = $t->nginx_t(http => "helpdesk_files $dir/att internal=/att/;");
    is($rc, 0, 'a moved store with its own internal location passes') or diag($out);
}

# helpdesk itself
fails_with('helpdesk in a regex location',
           qr/helpdesk needs a prefix location/,
           server => 'location ~ ^/x { helpdesk; }');
fails_with('helpdesk with an argument',
           qr/invalid number of arguments in "helpdesk" directive/,
           server => 'location /y/ { helpdesk on; }');

# helpdesk_thread_pool names a pool that nginx must know
fails_with('an unknown thread pool',
           qr/helpdesk_thread_pool: there is no thread pool "nosuch" \(define it before the http block: thread_pool nosuch threads=8;\) in \S+:\d+/,
           http => 'helpdesk_thread_pool nosuch;');
($rc, $out) = $hd->nginx_t(main => 'thread_pool hd threads=4;',
                           http => 'helpdesk_thread_pool hd;');
is($rc, 0, 'a declared thread pool is accepted') or diag($out);

# tickets: uploads, the reopen window, numbering, the file store
fails_with('an upload limit that is not a size',
           qr/helpdesk_upload_limits: invalid parameter "file=huge"/,
           http => 'helpdesk_upload_limits file=huge;');
fails_with('an unknown upload limit',
           qr/helpdesk_upload_limits: invalid parameter "files=3"/,
           http => 'helpdesk_upload_limits files=3;');
fails_with('a count out of range',
           qr/helpdesk_upload_limits: invalid parameter "count=0"/,
           http => 'helpdesk_upload_limits count=0;');
fails_with('a file limit over the message limit',
           qr/helpdesk_upload_limits: file=31457280 is larger than message=10485760/,
           http => 'helpdesk_upload_limits file=30m message=10m;');
fails_with('a reopen window that is no period',
           qr/helpdesk_reopen_window: invalid period "two days"/,
           http => 'helpdesk_reopen_window "two days";');
fails_with('a reopen window without a unit',
           qr/helpdesk_reopen_window: invalid period "2"/,
           http => 'helpdesk_reopen_window 2;');
fails_with('a bad enhancement window',
           qr/helpdesk_reopen_window: invalid parameter "enhancement=5w"/,
           http => 'helpdesk_reopen_window 2d enhancement=5w;');
fails_with('a ticket start that is no number',
           qr/helpdesk_ticket_start: invalid number "abc"/,
           http => 'helpdesk_ticket_start abc;');
fails_with('a ticket start of 0',
           qr/helpdesk_ticket_start: invalid number "0"/,
           http => 'helpdesk_ticket_start 0;');
fails_with('a file store with a bad internal location',
           qr/helpdesk_files: invalid parameter "internal=files"/,
           http => "helpdesk_files $dir/files internal=files;");
($rc, $out) = $hd->nginx_t(http => "helpdesk_upload_limits file=5m message=20m count=4;\n"
                                 . "    helpdesk_reopen_window 0;\n"
                                 . "    helpdesk_ticket_start 33858;\n"
                                 . "    helpdesk_files $dir/data/files internal=/_helpdesk_files/;");
is($rc, 0, 'good ticket directives pass') or diag($out);

# working time (SPEC §6): calendars, holiday files, auto-close, SLA, timer
Helpdesk::Test::write_file("$dir/holidays-bad.txt", "# ours\n2027-01-01 off\n2027-01-07 of\n");
fails_with('a holiday file with a bad line',
           qr/helpdesk_holidays: "\S+holidays-bad\.txt": line 3: "of": the kind of a day is off, work or short/,
           http => "helpdesk_holidays moscow $dir/holidays-bad.txt;");
Helpdesk::Test::write_file("$dir/holidays-date.txt", "2027-02-30 off\n");
fails_with('a holiday file with a date that is none',
           qr/line 1: "2027-02-30 off" does not start with a date/,
           http => "helpdesk_holidays moscow $dir/holidays-date.txt;");
fails_with('a missing holiday file', qr/helpdesk_holidays: cannot open "\S+nothing\.txt"/,
           http => "helpdesk_holidays moscow $dir/nothing.txt;");
fails_with('holidays of an unknown calendar', qr/helpdesk_holidays: unknown calendar "mars"/,
           http => "helpdesk_holidays mars $dir/holidays-date.txt;");
fails_with('bad working hours', qr/helpdesk_calendar: invalid parameter "mon-fri=18:00-09:00"/,
           http => 'helpdesk_calendar office mon-fri=18:00-09:00;');
fails_with('a bad zone', qr/helpdesk_calendar: invalid zone "zone=MSK"/,
           http => 'helpdesk_calendar office zone=MSK;');
fails_with('a zone of a bare hour (is +3 an hour or a cut +03:30?)',
           qr/helpdesk_calendar: invalid zone "zone=\+3" \(expected zone=\+03:00 or zone=UTC\)/,
           http => 'helpdesk_calendar office zone=+3;');
fails_with('a zone beyond +14:00', qr/helpdesk_calendar: invalid zone "zone=\+15:00"/,
           http => 'helpdesk_calendar office zone=+15:00;');
fails_with('a bad auto-close period', qr/helpdesk_autoclose: invalid parameter "solved=3w"/,
           http => 'helpdesk_autoclose solved=3w;');
fails_with('an unknown support level', qr/helpdesk_sla: unknown support level "gold"/,
           http => 'helpdesk_sla gold 1 response=2h;');
fails_with('a bad severity', qr/helpdesk_sla: invalid severity "5"/,
           http => 'helpdesk_sla standard 5 response=2h;');
fails_with('an SLA without a response target', qr/helpdesk_sla: "standard \*" needs response=PERIOD/,
           http => 'helpdesk_sla standard * resolution=5d;');
fails_with('an SLA in an unknown calendar', qr/helpdesk_sla: invalid parameter "calendar=mars"/,
           http => 'helpdesk_sla standard * response=8h calendar=mars;');
fails_with('a bad timer interval', qr/helpdesk_timer: invalid parameter "interval=0"/,
           http => 'helpdesk_timer interval=0;');
fails_with('a bad timer batch', qr/helpdesk_timer: invalid parameter "batch=lots"/,
           http => 'helpdesk_timer batch=lots;');
Helpdesk::Test::write_file("$dir/holidays-ok.txt", "2027-01-01 off # New Year\n2027-02-20 work\n2027-02-22 short\n");
($rc, $out) = $hd->nginx_t(http => "helpdesk_calendar office zone=+05:00 mon-fri=10:00-19:00 sat=off default;\n"
                                   . "helpdesk_holidays office $dir/holidays-ok.txt;\n"
                                   . "helpdesk_autoclose solved=5d awaiting=16h;\n"
                                   . "helpdesk_sla standard * response=8h resolution=5d calendar=office;\n"
                                   . "helpdesk_sla msa_enterprise 1 response=15m calendar=24x7;\n"
                                   . "helpdesk_timer interval=500ms batch=200 budget=100ms;");
is($rc, 0, 'good working-time directives pass') or diag($out);
($rc, $out) = $hd->nginx_t(http => "helpdesk_holidays moscow $FindBin::Bin/../holidays/ru.txt;");
is($rc, 0, 'the shipped Russian production calendar passes') or diag($out);

# helpdesk_smtp (SPEC §7.1)
my $smtp = 'helpdesk_smtp 127.0.0.1:2525 from=support@example.com';
fails_with('a relay without from=', qr/helpdesk_smtp: from= is missing/,
           http => 'helpdesk_smtp 127.0.0.1:25 starttls=on;');
fails_with('a bad relay', qr/helpdesk_smtp: invalid relay "mail\.example\.com:99999"/,
           http => 'helpdesk_smtp mail.example.com:99999 from=a@b.cd;');
fails_with('a relay with a path', qr/helpdesk_smtp: invalid relay "smtp:\/\/mail\/x"/,
           http => 'helpdesk_smtp smtp://mail/x from=a@b.cd;');
fails_with('a sender that is not an address', qr/helpdesk_smtp: invalid from "Support"/,
           http => 'helpdesk_smtp localhost from=Support;');
fails_with('a bad starttls', qr/helpdesk_smtp: invalid starttls "maybe" \(on, off or required\)/,
           http => "$smtp starttls=maybe;");
fails_with('a timeout out of range', qr/helpdesk_smtp: invalid timeout "50ms"/,
           http => "$smtp timeout=50ms;");
fails_with('a concurrency out of range', qr/helpdesk_smtp: invalid concurrency "0"/,
           http => "$smtp concurrency=0;");
fails_with('a bad retry', qr/helpdesk_smtp: invalid retry "soon"/,
           http => "$smtp retry=soon;");
fails_with('a bad expire', qr/helpdesk_smtp: invalid expire "1s"/,
           http => "$smtp expire=1s;");
fails_with('auth without a file', qr/helpdesk_smtp: invalid auth "mailer" \(expected auth=USER:FILE/,
           http => "$smtp auth=mailer;");
fails_with('a password file that is not there',
           qr/helpdesk_smtp auth=: cannot read the file "\S*nowhere\.txt"/,
           http => "$smtp auth=mailer:$dir/nowhere.txt;");
Helpdesk::Test::write_file("$dir/empty.pass", "");
fails_with('an empty password file', qr/helpdesk_smtp auth=: the file "\S*empty\.pass" is empty/,
           http => "$smtp auth=mailer:$dir/empty.pass;");
fails_with('a CA file that is not there', qr/helpdesk_smtp: cannot use ca "\S*no-ca\.pem"/,
           http => "$smtp ca=$dir/no-ca.pem;");
fails_with('an unknown parameter', qr/helpdesk_smtp: invalid parameter "tls=on"/,
           http => "$smtp tls=on;");
fails_with('helpdesk_smtp twice', qr/"helpdesk_smtp" directive is duplicate/,
           http => "$smtp;\n$smtp;");
Helpdesk::Test::write_file("$dir/smtp.pass", "secret\n");
chmod 0600, "$dir/smtp.pass";
($rc, $out) = $hd->nginx_t(http => 'helpdesk_smtp [::1]:587 "from=Служба поддержки <support@example.com>" '
                                   . "starttls=required auth=portal:$dir/smtp.pass timeout=10s concurrency=8 "
                                   . 'retry=30s retry_max=2h expire=3d verify=on helo=portal.example.com;');
is($rc, 0, 'a full helpdesk_smtp passes') or diag($out);
chmod 0644, "$dir/smtp.pass";
($rc, $out) = $hd->nginx_t(http => "$smtp auth=portal:$dir/smtp.pass;");
is($rc, 0, 'a password file anyone can read passes') or diag($out);
like($out, qr/\[warn\].*helpdesk_smtp auth=: the file "\S*smtp\.pass" can be read by anyone/,
     '... with a warning');
($rc, $out) = $hd->nginx_t(http => 'helpdesk_smtp smtps://mail.example.com from=a@b.cd;');
is($rc, 0, 'smtps:// (TLS from the first byte) passes') or diag($out);

# --- helpdesk_mailgate_key ---------------------------------------------------

fails_with('a short mail gate key', qr/helpdesk_mailgate_key: the key has 5 characters; 16 to 256 are needed/,
           http => 'helpdesk_mailgate_key short;');
unlike(($hd->nginx_t(http => 'helpdesk_mailgate_key s3cretvalue;'))[1], qr/s3cretvalue/,
       'the error never shows the key');
fails_with('a key with a character that is not printable ASCII',
           qr/helpdesk_mailgate_key: the key has a space or a character that is not printable ASCII/,
           http => 'helpdesk_mailgate_key "0123456789 abcdefgh";');
fails_with('a key file that is not there',
           qr/helpdesk_mailgate_key: cannot read the file "\S*no-key"/,
           http => "helpdesk_mailgate_key file=$dir/no-key;");
Helpdesk::Test::write_file("$dir/short.key", "abc\n");
fails_with('a key file with a short key',
           qr/helpdesk_mailgate_key: the key in "\S*short\.key" has 3 characters/,
           http => "helpdesk_mailgate_key file=$dir/short.key;");
Helpdesk::Test::write_file("$dir/gate.key", "0123456789abcdef0123456789abcdef\n");
chmod 0600, "$dir/gate.key";
($rc, $out) = $hd->nginx_t(http => "helpdesk_mailgate_key file=$dir/gate.key;");
is($rc, 0, 'a key file passes') or diag($out);
fails_with('helpdesk_mailgate_key twice', qr/"helpdesk_mailgate_key" directive is duplicate/,
           http => "helpdesk_mailgate_key file=$dir/gate.key;\nhelpdesk_mailgate_key file=$dir/gate.key;");

# --- helpdesk_imap -------------------------------------------------------------

Helpdesk::Test::write_file("$dir/imap.pass", "imap secret\n");
chmod 0600, "$dir/imap.pass";
my $imap = "helpdesk_imap imaps://mail.example.com/INBOX user=support password_file=$dir/imap.pass";
($rc, $out) = $hd->nginx_t(http => "$imap interval=30s timeout=20s done=delete;");
is($rc, 0, 'a full helpdesk_imap passes') or diag($out);
fails_with('a mailbox that is not a URL', qr/helpdesk_imap: invalid mailbox "mail\.example\.com" \(expected imaps:/,
           http => "helpdesk_imap mail.example.com user=a password_file=$dir/imap.pass;");
fails_with('a URL without a mailbox', qr/helpdesk_imap: invalid mailbox "imaps:\/\/mail\.example\.com\/"/,
           http => "helpdesk_imap imaps://mail.example.com/ user=a password_file=$dir/imap.pass;");
fails_with('a user in the URL', qr/helpdesk_imap: invalid mailbox "imaps:\/\/u\@mail\.example\.com\/INBOX"/,
           http => "helpdesk_imap imaps://u\@mail.example.com/INBOX user=a password_file=$dir/imap.pass;");
fails_with('no user', qr/helpdesk_imap: "imaps:\/\/mail\.example\.com\/INBOX" needs user= and password_file=/,
           http => "helpdesk_imap imaps://mail.example.com/INBOX password_file=$dir/imap.pass;");
fails_with('a bad interval', qr/helpdesk_imap: invalid interval "0s"/, http => "$imap interval=0s;");
fails_with('a bad done', qr/helpdesk_imap: invalid done "move"/, http => "$imap done=move;");
fails_with('an unknown parameter', qr/helpdesk_imap: invalid parameter "tls=off"/, http => "$imap tls=off;");
fails_with('a password file that is not there',
           qr/helpdesk_imap password_file=: cannot read the file "\S*nowhere"/,
           http => "helpdesk_imap imaps://mail.example.com/INBOX user=a password_file=$dir/nowhere;");

# a worker exiting dlclose()s the module while its thread pool's threads
# are still in pthread_exit (LMDB's thread-local destructor): the module
# stays mapped (a core from a fresh machine showed the worker die there)
my $dyn = `readelf -d $Helpdesk::Test::BUILD/ngx_http_helpdesk_module.so 2>&1`;
like($dyn, qr/FLAGS_1\).*NODELETE/, 'the module is linked -z nodelete');

# helpdesk_brand: the operator's name, logo and accent colour
fails_with('an accent that is not a colour', qr/helpdesk_brand: invalid accent "blue" \(a colour as #RRGGBB\)/,
           http => 'helpdesk_brand accent=blue;');
fails_with('an accent too light for white text',
           qr/helpdesk_brand: accent #ffcc00 has a contrast of 1\.\d:1 against white; .*4\.5:1 \(WCAG AA\)/,
           http => 'helpdesk_brand accent=#ffcc00;');
fails_with('a logo that is not among the static files',
           qr/helpdesk_brand: logo="nologo\.svg": there is no such file in \S+\/static\//,
           http => 'helpdesk_brand logo=nologo.svg;');
fails_with('a logo with a path', qr/helpdesk_brand: logo="\.\.\/x\.svg": the name of a file/,
           http => 'helpdesk_brand logo=../x.svg;');
fails_with('an unknown parameter', qr/helpdesk_brand: invalid parameter "colour=red"/,
           http => 'helpdesk_brand colour=red;');
{
    my $b = Helpdesk::Test->new(http => 'helpdesk_brand "name=Поддержка ООО «Ромашка»" logo=favicon.svg accent=#7a1f5c;')->start;
    my $page = $b->client->get('/');
    like($page->{content}, qr{<a class="brand" href="/"><img class="logo" src="/static/favicon\.svg" alt="" height="32"> Поддержка ООО «Ромашка»</a>},
         'helpdesk_brand: the name and the logo in the header');
    like($page->{content}, qr{<title>[^<]* · Поддержка ООО «Ромашка»</title>}, '... and in the title');
    like($page->{content}, qr{<link rel="stylesheet" href="/static/brand\.css">}, '... the accent as a stylesheet');
    my $css = $b->client->get('/static/brand.css');
    is($css->{status}, 200, 'static/brand.css is served');
    like($css->{content}, qr/--accent: #7a1f5c;/, '... with the accent');
    $b->finish;
}

done_testing;
