using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Nbdmux.Infrastructure.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class Nodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "nodes",
                columns: table => new
                {
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "text", nullable: false),
                    http_port = table.Column<int>(type: "integer", nullable: false),
                    nbd_port = table.Column<int>(type: "integer", nullable: false),
                    backend = table.Column<string>(type: "text", nullable: false),
                    up_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_heartbeat = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    exports_served = table.Column<int>(type: "integer", nullable: false),
                    connections = table.Column<int>(type: "integer", nullable: false),
                    applied_revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_nodes", x => x.name);
                });

            migrationBuilder.CreateTable(
                name: "registry",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    revision = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_registry", x => x.id);
                });

            migrationBuilder.InsertData(
                table: "registry",
                columns: new[] { "id", "revision" },
                values: new object[] { 1, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "nodes");

            migrationBuilder.DropTable(
                name: "registry");
        }
    }
}
