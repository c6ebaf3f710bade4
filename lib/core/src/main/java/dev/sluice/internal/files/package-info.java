/**
 * Files a route serves itself: nginx's {@code root} and {@code index}. Not exported; configured through {@link
 * dev.sluice.Route.Builder#root} and {@link dev.sluice.Route.Builder#index}. Start with {@link
 * dev.sluice.internal.files.StaticFiles}.
 */
package dev.sluice.internal.files;
