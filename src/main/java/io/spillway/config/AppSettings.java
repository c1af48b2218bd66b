package io.spillway.config;

import io.spillway.api.App;

/**
 * One configured app with its optional rate limit.
 *
 * @param rate  messages per second, or 0 for the admission default
 * @param burst bucket capacity, or 0 for the admission default
 */
public record AppSettings(App app, long rate, long burst) {
}
