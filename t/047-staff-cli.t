# Staff accounts from the CLI (SPEC §10.3): helpdesk staff add, the password
# on standard input; staff log in on the same page as customers.

use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/lib";
use Test::More;
use Helpdesk::Test;

my $hd = Helpdesk::Test->new->start;

my ($rc, $out) = $hd->cli(qw(staff add --login agent.smith --email smith@support.example --name),
                          'Agent Smith', qw(--role agent), { stdin => "agent password 1\n" });
is($rc, 0, 'helpdesk staff add, while nginx runs') or diag($out);
like($out, qr/staff account \d+: agent\.smith \(agent\)/, '... says what it made');

($rc, $out) = $hd->cli(qw(staff add --login boss --email boss@support.example --name Boss --role manager),
                       { stdin => "manager password 1\n" });
is($rc, 0, 'a manager');
($rc, $out) = $hd->cli(qw(staff add --login root2 --email root@support.example --name Root --role administrator),
                       { stdin => "admin password 12\n" });
is($rc, 0, 'an administrator');

my $ua = $hd->client;
my $res = $ua->api('POST', 'session', { login => 'agent.smith', password => 'agent password 1' });
is($res->{status}, 200, 'the agent logs in through the same route as customers');
is($res->{json}{account}{role}, 'agent', '... as an agent');
$res = $hd->client->api('POST', 'session', { login => 'boss@support.example', password => 'manager password 1' });
is($res->{json}{account}{role}, 'manager', 'the manager too');

my $web = $hd->client;
my $csrf = $web->form_csrf('/login');
$res = $web->post_form('/login', { csrf => $csrf, login => 'root2', password => 'admin password 12' });
is($res->{status}, 303, 'the administrator logs in on the login page');

($rc, $out) = $hd->cli(qw(staff add --login boss --email other@support.example --name X --role agent),
                       { stdin => "another password 1\n" });
isnt($rc, 0, 'a taken login is refused');
like($out, qr/login: This login is taken\./, '... naming the field, in words');

($rc, $out) = $hd->cli(qw(staff add --login newbie --email new@support.example --name X --role janitor),
                       { stdin => "another password 1\n" });
is($rc, 2, 'an unknown role is refused');
like($out, qr/invalid role "janitor"/, '... naming it');

($rc, $out) = $hd->cli(qw(staff add --login newbie --email new@support.example --name X --role agent),
                       { stdin => "short\n" });
isnt($rc, 0, 'a weak password is refused');
like($out, qr/password: The password needs at least 10 characters\./, '... saying why');

($rc, $out) = $hd->cli(qw(staff add --login newbie --email new@support.example --name X --role agent),
                       { stdin => '' });
isnt($rc, 0, 'no password at all is refused');

($rc, $out) = $hd->cli('check');
like($out, qr/^accounts\s+3$/m, 'three staff accounts, nothing from the refused ones');

$hd->finish;

done_testing;
