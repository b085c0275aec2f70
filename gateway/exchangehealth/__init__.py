"""Exchange health per service over a period, like X-Road's health data: volume, failures, durations, sizes."""
