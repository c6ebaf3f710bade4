/**
 * What a running proxy tells the outside: start with {@link dev.sluice.observe.ExchangeListener}, which receives
 * one {@link dev.sluice.observe.ExchangeRecord} per client request with its {@link
 * dev.sluice.observe.AttemptRecord}s, and {@link dev.sluice.observe.AccessLog}, the listener that writes nginx's
 * access-log fields through slf4j.
 */
package dev.sluice.observe;
