# coursehub with Docker, as the seed deployment ran it: `make build`, `make notebook_image`,
# `make up`, `make down`. `make build` and `make up` first check that secrets/ and the roster
# files are there (each missing one stops with what to put there) and generate
# secrets/postgres.env with a random password when it is absent. Settings: .env (copied from
# .env.example when missing). No registry is assumed: base images are build arguments (.env).

# .env is made from .env.example when missing; make then reads it again.
-include .env

DOCKER_NETWORK_NAME ?= coursehub-network
DOCKER_NOTEBOOK_IMAGE ?= coursehub-notebook
NODE_IMAGE ?= node:20-bookworm-slim
NOTEBOOK_BASE_IMAGE ?= quay.io/jupyter/scipy-notebook:latest
DATA_VOLUME_HOST ?= coursehub-data
DB_VOLUME_HOST ?= coursehub-db-data
# Docker's compose plugin when there is one, else the docker-compose command.
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo 'docker compose' || echo docker-compose)

.DEFAULT_GOAL := build

.env: .env.example
	@if [ -f .env ]; then echo "Note: .env.example changed since .env was made; see whether .env needs its new settings."; \
	else cp .env.example .env && echo "Made .env from .env.example: review it."; fi

secrets/postgres.env:
	@echo "Generating a PostgreSQL password in $@"
	@mkdir -p secrets
	@umask 077 && echo "POSTGRES_PASSWORD=$$(openssl rand -hex 32)" > $@

secrets/oauth.env:
	@echo "Need secrets/oauth.env with the GitHub OAuth settings, such as:"
	@echo "    GITHUB_CLIENT_ID=..."
	@echo "    GITHUB_CLIENT_SECRET=..."
	@echo "    OAUTH_CALLBACK_URL=https://HOST/hub/oauth_callback"
	@exit 1

secrets/jupyterhub.crt:
	@echo "Need an SSL certificate in secrets/jupyterhub.crt (PEM; \`make self-signed-cert\` makes one for a trial)"
	@exit 1

secrets/jupyterhub.key:
	@echo "Need an SSL key in secrets/jupyterhub.key (PEM, the certificate's private key)"
	@exit 1

instructors.csv:
	@echo "Need instructors.csv: the course's instructors (they become admins), such as:"
	@echo "    id,first_name,last_name,email"
	@echo "    ada,Ada,Lovelace,ada@example.org"
	@exit 1

students.csv:
	@echo "Need students.csv: the course's students, same header, such as:"
	@echo "    id,first_name,last_name,email"
	@echo "    alan,Alan,Turing,alan@example.org"
	@exit 1

check-files: secrets/jupyterhub.crt secrets/jupyterhub.key secrets/oauth.env secrets/postgres.env instructors.csv students.csv

# A self-signed pair for a trial (browsers will warn); use a real certificate for a class.
self-signed-cert:
	@mkdir -p secrets
	openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=$${HOST_NAME:-localhost}" \
		-keyout secrets/jupyterhub.key -out secrets/jupyterhub.crt
	@chmod 600 secrets/jupyterhub.key

network:
	@docker network inspect $(DOCKER_NETWORK_NAME) >/dev/null 2>&1 || docker network create $(DOCKER_NETWORK_NAME)

volumes:
	@docker volume inspect $(DATA_VOLUME_HOST) >/dev/null 2>&1 || docker volume create --name $(DATA_VOLUME_HOST)
	@docker volume inspect $(DB_VOLUME_HOST) >/dev/null 2>&1 || docker volume create --name $(DB_VOLUME_HOST)

notebook_image: notebook/Dockerfile
	docker build -t $(DOCKER_NOTEBOOK_IMAGE) \
		--build-arg NODE_IMAGE=$(NODE_IMAGE) \
		--build-arg BASE_IMAGE=$(NOTEBOOK_BASE_IMAGE) \
		-f notebook/Dockerfile .

build: check-files network volumes
	$(COMPOSE) build --build-arg NODE_IMAGE=$(NODE_IMAGE)

up: check-files network volumes
	$(COMPOSE) up -d

down:
	$(COMPOSE) down

.PHONY: check-files self-signed-cert network volumes notebook_image build up down
