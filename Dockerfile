# The Cumulus server image used by docker-compose.yml: the standalone jar, run with one or more of
# its services (--services=api,relay,reconciler,projector,gc,photos). Built from the sources:
#   docker compose build
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY . .
RUN ./mvnw -B -q -DskipTests -pl standalone -am package

FROM eclipse-temurin:21-jre
# libvips' tools make the photo library's thumbnails and previews (the photos service, decision 0022).
RUN apt-get update && apt-get install -y --no-install-recommends curl libvips-tools && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/standalone/target/cumulus-standalone-exec.jar /opt/cumulus/cumulus.jar
ENV CUMULUS_DATA_DIR=/var/lib/cumulus
# The server listens on 127.0.0.1 by default; a container is reached through its other interfaces.
ENV CUMULUS_BIND_ADDRESS=0.0.0.0
VOLUME /var/lib/cumulus
# 8080: the API (--services with api); 9464: metrics and health of a process without it (--management-port)
EXPOSE 8080 9464
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/opt/cumulus/cumulus.jar"]
CMD ["serve"]
