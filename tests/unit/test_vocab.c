/* The vocabularies (agent/fields/vocab.c): every table read both ways, and what the agent relies on
 * (event types by record, Falco's flag spellings, priorities as syslog severities). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <syslog.h>

#include "../common/suite.h"
#include "fields/vocab.h"

static void test_event_types_both_ways(void)
{
	int et;

	for (et = 0; et < OSP_ET_COUNT; et++) {
		const char *n = vocab_evt_name(et);

		CU_ASSERT_EQUAL(vocab_evt_lookup(n, strlen(n)), et);
		CU_ASSERT_NOT_EQUAL(vocab_evt_record(et), 0);
	}
	CU_ASSERT_STRING_EQUAL(vocab_evt_name(-1), "unknown");
	CU_ASSERT_STRING_EQUAL(vocab_evt_name(OSP_ET_COUNT), "unknown");
	CU_ASSERT_EQUAL(vocab_evt_lookup("connect", 7), -1);
	CU_ASSERT_EQUAL(vocab_evt_lookup("execve", 5), -1); /* a prefix is not the name */
	CU_ASSERT_EQUAL(vocab_evt_record(OSP_ET_CREAT), OSP_EV_OPEN);
	CU_ASSERT_EQUAL(vocab_evt_record(OSP_ET_PROCEXIT), OSP_EV_EXIT);
	CU_ASSERT_STRING_EQUAL(vocab_evt_category(OSP_ET_OPENAT2), "file");
	CU_ASSERT_STRING_EQUAL(vocab_evt_category(OSP_ET_VFORK), "process");
}

static void test_event_type_of_record(void)
{
	struct osp_event ev = {.type = OSP_EV_OPEN, .syscall = OSP_ET_CREAT};

	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_CREAT);
	ev.syscall = OSP_ET_EXECVE; /* not an open: the open record's default */
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_OPENAT);
	ev.type = OSP_EV_FORK;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_CLONE);
	ev.syscall = OSP_ET_VFORK;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_VFORK);
	ev.type = OSP_EV_EXEC;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_EXECVE);
	ev.syscall = OSP_ET_EXECVEAT;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_EXECVEAT);
	ev.type = OSP_EV_EXIT;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), OSP_ET_PROCEXIT);
	ev.type = 99;
	CU_ASSERT_EQUAL(vocab_evt_of(&ev), -1);
}

static void test_capabilities_both_ways(void)
{
	char buf[64];
	uint64_t bits = 0;
	unsigned int i;

	CU_ASSERT_STRING_EQUAL(vocab_cap_name(0), "CAP_CHOWN");
	CU_ASSERT_STRING_EQUAL(vocab_cap_name(21), "CAP_SYS_ADMIN");
	CU_ASSERT_STRING_EQUAL(vocab_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	CU_ASSERT_PTR_NULL(vocab_cap_name(41));
	for (i = 0; vocab_cap_name(i); i++) {
		CU_ASSERT_EQUAL(vocab_flag_lookup(vocab_caps, vocab_ncaps, vocab_cap_name(i),
						  strlen(vocab_cap_name(i)), &bits),
				0);
		CU_ASSERT_EQUAL(bits, 1ull << i);
	}
	CU_ASSERT_EQUAL(vocab_flag_lookup(vocab_caps, vocab_ncaps, "CAP_X", 5, &bits), -1);
	CU_ASSERT_EQUAL(
	    vocab_flags_format(vocab_caps, vocab_ncaps, (1ull << 21) | 1, ' ', buf, sizeof(buf), 0),
	    strlen("CAP_CHOWN CAP_SYS_ADMIN"));
	CU_ASSERT_STRING_EQUAL(buf, "CAP_CHOWN CAP_SYS_ADMIN");
	/* a name that does not fit is left out whole */
	CU_ASSERT_EQUAL(
	    vocab_flags_format(vocab_caps, vocab_ncaps, (1ull << 21) | 1, ' ', buf, 14, 0),
	    strlen("CAP_CHOWN"));
	CU_ASSERT_STRING_EQUAL(buf, "CAP_CHOWN");
}

static void test_open_flags_both_ways(void)
{
	char buf[256];
	uint64_t bits;

	vocab_open_flags_format(O_RDONLY | O_CLOEXEC, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O_RDONLY|O_CLOEXEC");
	vocab_open_flags_format(O_WRONLY | O_CREAT | O_TRUNC, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O_WRONLY|O_CREAT|O_TRUNC");
	vocab_open_flags_format(O_ACCMODE, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O_RDONLY");
	/* O_TMPFILE and O_SYNC include single bits that are named too, as Falco prints them */
	vocab_open_flags_format(O_RDWR | O_TMPFILE, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O_RDWR|O_DIRECTORY|O_TMPFILE");
	vocab_open_flags_format(O_WRONLY | O_SYNC, buf, sizeof(buf));
	CU_ASSERT_STRING_EQUAL(buf, "O_WRONLY|O_DSYNC|O_SYNC");
	CU_ASSERT_EQUAL(vocab_open_flag_lookup("O_RDWR", 6, &bits), 0);
	CU_ASSERT_EQUAL(bits, O_RDWR);
	CU_ASSERT_EQUAL(vocab_open_flag_lookup("O_TMPFILE", 9, &bits), 0);
	CU_ASSERT_EQUAL(bits, O_TMPFILE);
	CU_ASSERT_EQUAL(vocab_open_flag_lookup("O_CLOEXEC", 9, &bits), 0);
	CU_ASSERT_EQUAL(bits, O_CLOEXEC);
	CU_ASSERT_EQUAL(vocab_open_flag_lookup("O_BOGUS", 7, &bits), -1);
}

static void test_exe_flags_both_ways(void)
{
	char buf[64];
	uint64_t bits;
	size_t i;

	CU_ASSERT_EQUAL(vocab_flags_format(vocab_exe_flags, vocab_nexe_flags,
					   OSP_PF_EXE_WRITABLE | OSP_F_EXE_MEMFD, '|', buf,
					   sizeof(buf), 0),
			strlen("EXE_WRITABLE|EXE_FROM_MEMFD"));
	CU_ASSERT_STRING_EQUAL(buf, "EXE_WRITABLE|EXE_FROM_MEMFD");
	CU_ASSERT_EQUAL(
	    vocab_flags_format(vocab_exe_flags, vocab_nexe_flags, 0, '|', buf, sizeof(buf), 0), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	for (i = 0; i < vocab_nexe_flags; i++) {
		CU_ASSERT_EQUAL(vocab_flag_lookup(vocab_exe_flags, vocab_nexe_flags,
						  vocab_exe_flags[i].name,
						  strlen(vocab_exe_flags[i].name), &bits),
				0);
		CU_ASSERT_EQUAL(bits, vocab_exe_flags[i].bits);
	}
}

/* Falco's priorities are syslog's severities in the same order: the agent hands a rule's priority to
 * the sinks as its syslog severity. */
static void test_priorities_are_syslog_severities(void)
{
	CU_ASSERT_EQUAL(vocab_priority_parse("EMERGENCY", 9), LOG_EMERG);
	CU_ASSERT_EQUAL(vocab_priority_parse("Critical", 8), LOG_CRIT);
	CU_ASSERT_EQUAL(vocab_priority_parse("warning", 7), LOG_WARNING);
	CU_ASSERT_EQUAL(vocab_priority_parse("NOTICE", 6), LOG_NOTICE);
	CU_ASSERT_EQUAL(vocab_priority_parse("INFORMATIONAL", 13), LOG_INFO);
	CU_ASSERT_EQUAL(vocab_priority_parse("info", 4), LOG_INFO);
	CU_ASSERT_EQUAL(vocab_priority_parse("debug", 5), LOG_DEBUG);
	CU_ASSERT_EQUAL(vocab_priority_parse("loud", 4), -EINVAL);
	CU_ASSERT_EQUAL(vocab_priority_parse(NULL, 0), -EINVAL);
	CU_ASSERT_STRING_EQUAL(vocab_priority_name(LOG_ALERT), "Alert");
	CU_ASSERT_STRING_EQUAL(vocab_priority_name(LOG_DEBUG), "Debug");
	CU_ASSERT_STRING_EQUAL(vocab_priority_name(8), "Unknown");
}

OSP_SUITE(vocab)
{
	OSP_TEST(suite, test_event_types_both_ways);
	OSP_TEST(suite, test_event_type_of_record);
	OSP_TEST(suite, test_capabilities_both_ways);
	OSP_TEST(suite, test_open_flags_both_ways);
	OSP_TEST(suite, test_exe_flags_both_ways);
	OSP_TEST(suite, test_priorities_are_syslog_severities);
}
