package dev.sluice.contenders.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Cloud Gateway contender of benchmarks/load/run.sh: a plain Spring Boot application with the
 * gateway starter and nothing else. Its one route, its port and its upstream pool come from command-line
 * properties, as the gateway's users configure it, for example:
 *
 * <pre>
 * java -Dreactor.netty.ioWorkerCount=1 -jar gateway-proxy.jar --server.address=127.0.0.1 --server.port=8080 \
 *   --spring.cloud.gateway.server.webflux.routes[0].id=upstream \
 *   --spring.cloud.gateway.server.webflux.routes[0].uri=http://127.0.0.1:8081 \
 *   --spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/** \
 *   --spring.cloud.gateway.server.webflux.httpclient.pool.type=fixed \
 *   --spring.cloud.gateway.server.webflux.httpclient.pool.max-connections=32
 * </pre>
 */
@SpringBootApplication
public class GatewayProxy {

    public static void main(String[] args) {
        SpringApplication.run(GatewayProxy.class, args);
    }
}
