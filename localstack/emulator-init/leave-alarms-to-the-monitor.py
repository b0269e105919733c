"""LocalStack start hook (compose.yaml mounts this folder as /etc/localstack/init/start.d).

The monitor service evaluates the platform's alarms and applies its metric filters as CloudWatch
does. LocalStack 4.x does both too, on its own terms: its alarm scheduler re-evaluates every
alarm each EvaluationPeriods x Period seconds with simplified rules and calls SetAlarmState when
it disagrees, and its CloudWatch Logs puts a datapoint of 1 into every metric filter's metric for
every log line, whether the line matches the pattern or not. With both evaluators running, an
alarm flaps and notifies more than once per change, and api-error-count counts every line.

This hook switches those two off and nothing else: LocalStack still stores the alarms, metrics
and logs, answers every API, and runs an alarm's actions on SetAlarmState, as AWS does. The
monitor refuses to start on LocalStack unless this hook has run (GET /_localstack/init).
"""

from localstack.services.cloudwatch import alarm_scheduler
from localstack.services.logs import provider as logs_provider


def _require(owner, attribute):
    if not hasattr(owner, attribute):
        raise RuntimeError(
            f"{owner.__name__}.{attribute} is gone: this LocalStack version is not the one the "
            "hook was written for (4.14); alarms would be evaluated twice"
        )


_require(alarm_scheduler.AlarmScheduler, "schedule_metric_alarm")
_require(alarm_scheduler.AlarmScheduler, "delete_scheduler_for_alarm")
_require(logs_provider, "get_pattern_matcher")


def _leave_evaluation_to_the_monitor(self, alarm_arn):
    # PutMetricAlarm reschedules an alarm; cancelling any earlier schedule keeps none running.
    self.delete_scheduler_for_alarm(alarm_arn)


def _matches_nothing(pattern):
    return lambda _pattern, _log_event: False


alarm_scheduler.AlarmScheduler.schedule_metric_alarm = _leave_evaluation_to_the_monitor
logs_provider.get_pattern_matcher = _matches_nothing
