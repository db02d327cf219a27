# The operator's CLI (issue 18): staff accounts listed, disabled, enabled and
# given a password from standard input; a backup restored only after it is
# verified, never over a database, with the data directory's modes; the
# tool's messages are sentences in the operator's language.

use strict;
use warnings;
use utf8;
use FindBin;
use lib "$FindBin::Bin/lib";
use File::Find;
use Test::More;
use Helpdesk::Test;

binmode Test::More->builder->$_, ':utf8' for qw(output failure_output todo_output);

my $hd = Helpdesk::Test->new->start;
my $admin = $hd->staff('chief', 'administrator');
my $agent = $hd->staff('smith', 'agent');

# --- staff list ---

my ($rc, $out) = $hd->cli('staff', 'list');
is($rc, 0, 'staff list');
like($out, qr/^\d+\s+chief\s+administrator\s+active\s+chief\@support\.example, Staff chief$/m, '... the administrator');
like($out, qr/^\d+\s+smith\s+agent\s+active\s+smith\@support\.example/m, '... and the agent');

# --- disable: the agent is out at once ---

is($agent->api('GET', 'me')->{status}, 200, 'the agent is logged in');
($rc, $out) = $hd->cli('staff', 'disable', 'smith');
is($rc, 0, 'staff disable smith') or diag($out);
like($out, qr/smith: disabled, its sessions ended/, '... says so');
is($agent->api('GET', 'me')->{status}, 401, '... and the session that was open is gone');
my $res = $hd->client->api('POST', 'session', { login => 'smith', password => 'smith-password-1' });
isnt($res->{status}, 200, '... and the right password no longer logs in');
($rc, $out) = $hd->cli('staff', 'list');
like($out, qr/^\d+\s+smith\s+agent\s+disabled/m, 'staff list shows it disabled');

($rc, $out) = $hd->cli('staff', 'enable', 'smith@support.example');
is($rc, 0, 'staff enable, by e-mail');
$res = $hd->client->api('POST', 'session', { login => 'smith', password => 'smith-password-1' });
is($res->{status}, 200, '... and the agent logs in again');

# --- password from standard input ---

($rc, $out) = $hd->cli('staff', 'password', 'smith', { stdin => "short\n" });
is($rc, 1, 'a weak password is refused');
like($out, qr/password: The password needs at least 10 characters\./, '... in words');
($rc, $out) = $hd->cli('staff', 'password', 'smith', { stdin => "a brand new secret 7\n" });
is($rc, 0, 'staff password smith') or diag($out);
like($out, qr/the password is set, its sessions ended/, '... says what happened');
$res = $hd->client->api('POST', 'session', { login => 'smith', password => 'smith-password-1' });
is($res->{status}, 401, 'the old password no longer works');
$res = $hd->client->api('POST', 'session', { login => 'smith', password => 'a brand new secret 7' });
is($res->{status}, 200, 'the new one does');
ok($hd->last_mail('password_changed', 'smith@support.example'), '... and the owner is told by e-mail');

# --- mistakes: sentences, in the operator's language ---

($rc, $out) = $hd->cli('staff', 'disable', 'nobody');
is($rc, 1, 'disabling an unknown login fails');
like($out, qr/there is no staff account with the login or e-mail "nobody"/, '... naming it');
($rc, $out) = $hd->cli('staff', 'password', 'ann', { stdin => "whatever password 1\n" });
is($rc, 1, 'a customer is not a staff account');
($rc, $out) = $hd->cli('staff', 'frobnicate');
is($rc, 2, 'an unknown staff command: exit 2');
like($out, qr/unknown staff command "frobnicate"/, '... naming it');
like($out, qr/helpdesk staff password LOGIN < password/, '... and the usage');
($rc, $out) = $hd->cli('staff', 'add', '--login', 'x1', '--email', 'x1@support.example', '--name', 'X',
                       '--role', 'agent', 'stray', { stdin => "some password 11\n" });
is($rc, 2, 'a stray argument to staff add is an error');
like($out, qr/staff add: unexpected argument "stray"/, '... naming it');

($rc, $out) = $hd->cli('staff', 'disable', 'nobody', { lang => 'ru_RU.UTF-8' });
like($out, qr/нет учётной записи сотрудника с логином или адресом "nobody"/, 'in Russian when LANG says ru');
($rc, $out) = $hd->cli('staff', 'add', '--login', 'chief', '--email', 'c2@support.example', '--name', 'X',
                       '--role', 'agent', { stdin => "some password 11\n", lang => 'ru_RU.UTF-8' });
like($out, qr/login: \S.*занят/, '... the portal\'s own words for a field, too');
unlike($out, qr/login_taken/, '... never the API code');

# --- backup keeps the data directory's modes ---

my $t = $hd->catalog;
my $cust = $hd->user('ann');
my $n = $hd->ticket($cust);
$res = $cust->post_multipart("tickets/$n/messages", { body => 'the log' },
    [ [ 'attachments', 'trace.log', "a trace line\n" x 50, 'text/plain' ] ], api => 1);
is($res->{status}, 201, 'a message with an attachment') or diag($res->{content});

chmod 0750, $hd->data;
my $backup = $hd->dir . '/backup';
($rc, $out) = $hd->cli('backup', $backup);
is($rc, 0, 'backup') or diag($out);
is((stat $backup)[2] & 07777, 0750, 'the backup directory has the data directory\'s mode');
is((stat "$backup/data.mdb")[2] & 07777, (stat($hd->data . '/data.mdb'))[2] & 07777,
   '... and its database the database\'s');
is((stat "$backup/data.mdb")[4], (stat $hd->data)[4], '... and the same owner');

# --- restore: verified, then in place ---

my $restored = $hd->dir . '/restored';
($rc, $out) = $hd->cli('restore', $backup, $restored);
is($rc, 0, 'restore BACKUP DIR') or diag($out);
like($out, qr/restored to \Q$restored\E \(1 attachment files\)/, '... says so');
ok(!-e "$restored.restoring", '... leaving no staging directory');
is((stat $restored)[2] & 07777, 0750, '... with the backup\'s mode');
is((stat $restored)[4], (stat $backup)[4], '... and owner');
($rc, $out) = $hd->cli_on($restored, 'check');
is($rc, 0, 'the restored directory checks consistent') or diag($out);
like($out, qr/^tickets\s+1$/m, '... with the ticket');
like($out, qr/files checked: 1 /, '... and its attachment');

($rc, $out) = $hd->cli('restore', $backup, $restored);
is($rc, 2, 'restore over a database is refused');
like($out, qr/already holds a database: stop nginx and move it aside first/, '... saying what to do');
($rc, $out) = $hd->cli('restore', $backup, $hd->data);
is($rc, 2, '... the live one too');
($rc, $out) = $hd->cli('check');
is($rc, 0, '... which is untouched');

($rc, $out) = $hd->cli('restore', $hd->dir . '/nothing-here', $hd->dir . '/r2');
is($rc, 2, 'restore from a directory without a backup: exit 2');
like($out, qr/there is no backup \(no data\.mdb\) in/, '... saying so');
ok(!-e $hd->dir . '/r2', '... making nothing');

# a backup with one attachment damaged (same size, one bit) is not restored
my ($file) = do { my @f; find(sub { push @f, $File::Find::name if -f && length($_) == 64 }, "$backup/files"); @f };
ok($file, 'the backup holds the attachment');
{
    open my $fh, '+<', $file or die "$file: $!";
    binmode $fh;
    read $fh, my $byte, 1;
    seek $fh, 0, 0;
    print $fh chr(ord($byte) ^ 1);
    close $fh;
}
my $bad = $hd->dir . '/from-bad';
($rc, $out) = $hd->cli('restore', $backup, $bad);
is($rc, 1, 'a damaged backup is refused');
like($out, qr/problems: nothing restored/, '... saying nothing was restored');
like($out, qr/SHA-256/i, '... and which file does not match');
ok(!-e $bad && !-e "$bad.restoring", '... leaving nothing behind');

$hd->finish;
done_testing;
