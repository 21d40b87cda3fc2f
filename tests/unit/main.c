/* Unit-test runner: every tests/unit/test_*.c registers itself with OSP_SUITE(). Built with
 * AddressSanitizer and UndefinedBehaviorSanitizer; any sanitizer report aborts the run. */
#include "../common/suite.h"

int main(int argc, char **argv)
{
	return osp_suite_main("unit", argc, argv, 0);
}
