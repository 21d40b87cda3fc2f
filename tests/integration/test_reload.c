/* SIGHUP: rules reload atomically (a broken file keeps the rules in force) and file outputs reopen
 * after logrotate's rename. A real agent, real rule files, real alerts in a real file. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/agent.h"

static char dir[64], rules[96], out[96], rotated[96];

static int write_rules(const char *marker, int broken)
{
	FILE *f = fopen(rules, "w");

	if (!f)
		return -1;
	fprintf(f,
		"- rule: Marker read\n"
		"  desc: test rule\n"
		"  condition: evt.type in (open, openat) and fd.name = %s/%s%s\n"
		"  output: \"marker %%fd.name by %%proc.name\"\n"
		"  priority: NOTICE\n",
		dir, marker, broken ? " and (" : "");
	return fclose(f);
}

/* opens dir/marker, then waits for the agent's drain tick */
static void touch_read(const char *marker)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "cat %s/%s >/dev/null", dir, marker);
	it_sh(cmd);
	usleep(200 * 1000);
}

static int count_in(const char *path, const char *needle)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

static void hup(const struct it_agent *a)
{
	kill(a->pid, SIGHUP);
	usleep(500 * 1000); /* the loop handles it within one 10 ms tick; loading takes a few ms */
}

static void test_sighup_reload_and_reopen(void)
{
	struct it_agent a;
	char spec[128], cmd[256];
	const char *args[] = {"--rules", rules, "--output", spec, NULL};

	snprintf(dir, sizeof(dir), "/tmp/osprey-reload-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(rules, sizeof(rules), "%s/rules.yaml", dir);
	snprintf(out, sizeof(out), "%s/alerts.json", dir);
	snprintf(rotated, sizeof(rotated), "%s/alerts.json.1", dir);
	snprintf(spec, sizeof(spec), "file:%s", out);
	snprintf(cmd, sizeof(cmd), "cd %s && echo x > one && echo x > two", dir);
	CU_ASSERT_EQUAL_FATAL(it_sh(cmd), 0);
	CU_ASSERT_EQUAL_FATAL(write_rules("one", 0), 0);
	CU_ASSERT_EQUAL_FATAL(it_agent_start_alerts(&a, args), 0);

	touch_read("one");
	CU_ASSERT_EQUAL(count_in(out, "\"rule\":\"Marker read\""), 1);

	/* a broken file: the rules in force stay */
	CU_ASSERT_EQUAL_FATAL(write_rules("two", 1), 0);
	hup(&a);
	touch_read("one");
	touch_read("two");
	CU_ASSERT_EQUAL(count_in(out, "/one by cat"), 2);
	CU_ASSERT_EQUAL(count_in(out, "/two by cat"), 0);

	/* logrotate renames the file, then a good file and SIGHUP: new rules, new file */
	CU_ASSERT_EQUAL_FATAL(rename(out, rotated), 0);
	CU_ASSERT_EQUAL_FATAL(write_rules("two", 0), 0);
	hup(&a);
	touch_read("one");
	touch_read("two");
	CU_ASSERT_EQUAL(count_in(out, "/two by cat"), 1);
	CU_ASSERT_EQUAL(count_in(out, "/one by cat"), 0);
	CU_ASSERT_EQUAL(count_in(rotated, "/one by cat"), 2);

	CU_ASSERT_EQUAL(it_agent_stop(&a), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.err_tail, "sent=3 "));
	it_agent_free(&a);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	it_sh(cmd);
}

OSP_SUITE(reload)
{
	OSP_TEST(suite, test_sighup_reload_and_reopen);
}
