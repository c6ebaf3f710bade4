package dev.sluice.cli;

import dev.sluice.upstream.ResponseMatch;
import java.util.List;

/**
 * NGINX Plus's {@code match NAME { status ...; header ...; body ~ ...; }}, which a {@code health_check match=NAME}
 * names: the conditions a peer's answer must meet, as a {@code ResponseMatch}.
 */
final class MatchBlock {

    private MatchBlock() {
    }

    /** The conditions of {@code block} as code. */
    static Expr.Static code(Directive block) {
        Expr.Static match = Expr.Static.of(ResponseMatch.class, "builder");
        for (Directive d : block.block()) {
            Args.noBlock(d);
            Args.args(d, 1, Integer.MAX_VALUE);
            List<String> args = d.args();
            switch (d.name()) {
                case "status" -> match = match.then("status",
                        args.get(0).equals("!") ? "!" + String.join(" ", args.subList(1, args.size())) : d.joined());
                case "header" -> match = match.then("header", d.joined());
                case "body" -> {
                    Args.args(d, 2, 2);
                    match = match.then("body", (args.get(0).startsWith("!") ? "!~" : "~") + args.get(1));
                }
                default -> throw Args.unknown(d, "match");
            }
        }
        return match.then("build");
    }
}
